#include "qianwen/template/parser.h"

#include <charconv>
#include <cstdlib>

namespace qw::tmpl {
namespace {

class Parser {
 public:
  explicit Parser(const std::vector<Token>& t) : t_(t) {}

  Result<NodePtr> Template() {
    std::string end;
    QW_ASSIGN_OR_RETURN(NodePtr body, Body({}, &end));
    if (!end.empty()) return Error("unexpected '" + end + "'");
    if (Peek().type != Token::kEof) return Error("unexpected tokens at the end");
    return body;
  }

 private:
  const Token& Peek(size_t k = 0) const { return t_[std::min(pos_ + k, t_.size() - 1)]; }
  const Token& Next() { return t_[std::min(pos_++, t_.size() - 1)]; }
  bool IsOp(const char* op, size_t k = 0) const {
    return Peek(k).type == Token::kOp && Peek(k).text == op;
  }
  bool IsName(const char* n, size_t k = 0) const {
    return Peek(k).type == Token::kName && Peek(k).text == n;
  }
  bool AcceptOp(const char* op) {
    if (!IsOp(op)) return false;
    ++pos_;
    return true;
  }
  bool AcceptName(const char* n) {
    if (!IsName(n)) return false;
    ++pos_;
    return true;
  }
  Status Error(const std::string& what) const {
    return Status(Code::kInvalidArgument,
                  "TemplateSyntaxError: " + what + " (line " + std::to_string(Peek().line) + ")");
  }
  Status ExpectOp(const char* op) {
    if (!AcceptOp(op))
      return Error(std::string("expected '") + op + "', found '" + Peek().text + "'");
    return OkStatus();
  }
  Status ExpectBlockEnd() {
    if (Peek().type != Token::kBlockEnd)
      return Error("expected end of tag, found '" + Peek().text + "'");
    ++pos_;
    return OkStatus();
  }
  Result<std::string> ExpectName() {
    if (Peek().type != Token::kName) return Error("expected a name, found '" + Peek().text + "'");
    return Next().text;
  }
  NodePtr Make(Node::Kind k) {
    auto n = std::make_unique<Node>();
    n->kind = k;
    n->line = Peek().line;
    return n;
  }

  // Statements until one of `ends` (a block tag name); *end receives it ("" at EOF).
  Result<NodePtr> Body(const std::vector<std::string>& ends, std::string* end) {
    NodePtr body = Make(Node::kBody);
    end->clear();
    while (true) {
      const Token& tok = Peek();
      if (tok.type == Token::kEof) return body;
      if (tok.type == Token::kText) {
        NodePtr n = Make(Node::kText);
        n->name = Next().text;
        body->children.push_back(std::move(n));
      } else if (tok.type == Token::kVarBegin) {
        Next();
        NodePtr n = Make(Node::kOutput);
        QW_ASSIGN_OR_RETURN(NodePtr e, Expression());
        n->children.push_back(std::move(e));
        if (Peek().type != Token::kVarEnd)
          return Error("expected '}}', found '" + Peek().text + "'");
        Next();
        body->children.push_back(std::move(n));
      } else if (tok.type == Token::kBlockBegin) {
        const Token& kw = Peek(1);
        if (kw.type == Token::kName) {
          for (const auto& e : ends) {
            if (kw.text == e) {
              pos_ += 2;
              *end = e;
              return body;
            }
          }
        }
        Next();
        QW_ASSIGN_OR_RETURN(NodePtr st, Statement());
        body->children.push_back(std::move(st));
      } else {
        return Error("unexpected '" + tok.text + "'");
      }
    }
  }

  Result<NodePtr> Statement() {
    if (++depth_ > kMaxDepth) return Error("blocks nested too deeply");
    struct Leave {
      int* d;
      ~Leave() { --*d; }
    } leave{&depth_};
    QW_ASSIGN_OR_RETURN(std::string kw, ExpectName());
    if (kw == "if") return If();
    if (kw == "for") return For();
    if (kw == "set") return Set();
    if (kw == "macro") return Macro();
    if (kw == "break" || kw == "continue") {
      NodePtr n = Make(kw == "break" ? Node::kBreak : Node::kContinue);
      QW_TRY(ExpectBlockEnd());
      return n;
    }
    if (kw == "generation") {
      NodePtr n = Make(Node::kGeneration);
      QW_TRY(ExpectBlockEnd());
      std::string end;
      QW_ASSIGN_OR_RETURN(NodePtr body, Body({"endgeneration"}, &end));
      if (end.empty()) return Error("missing endgeneration");
      QW_TRY(ExpectBlockEnd());
      n->children.push_back(std::move(body));
      return n;
    }
    return Error("unknown tag '" + kw + "'");
  }

  Result<NodePtr> If() {
    NodePtr n = Make(Node::kIf);
    QW_ASSIGN_OR_RETURN(NodePtr cond, Expression());
    QW_TRY(ExpectBlockEnd());
    std::string end;
    QW_ASSIGN_OR_RETURN(NodePtr then, Body({"elif", "else", "endif"}, &end));
    n->children.push_back(std::move(cond));
    n->children.push_back(std::move(then));
    if (end == "elif") {
      QW_ASSIGN_OR_RETURN(NodePtr rest, If());
      n->children.push_back(std::move(rest));
      return n;
    }
    if (end == "else") {
      QW_TRY(ExpectBlockEnd());
      QW_ASSIGN_OR_RETURN(NodePtr els, Body({"endif"}, &end));
      if (end.empty()) return Error("missing endif");
      n->children.push_back(std::move(els));
    } else if (end.empty()) {
      return Error("missing endif");
    } else {
      n->children.push_back(nullptr);
    }
    QW_TRY(ExpectBlockEnd());
    return n;
  }

  Result<NodePtr> For() {
    NodePtr n = Make(Node::kFor);
    do {
      QW_ASSIGN_OR_RETURN(std::string t, ExpectName());
      n->names.push_back(t);
    } while (AcceptOp(","));
    if (!AcceptName("in")) return Error("expected 'in' in for loop");
    QW_ASSIGN_OR_RETURN(NodePtr iter, OrExpr(/*no_cond=*/true));
    NodePtr filter;
    if (AcceptName("if")) {
      QW_ASSIGN_OR_RETURN(filter, OrExpr(true));
    }
    if (AcceptName("recursive")) return Error("recursive loops are not supported");
    QW_TRY(ExpectBlockEnd());
    std::string end;
    QW_ASSIGN_OR_RETURN(NodePtr body, Body({"else", "endfor"}, &end));
    NodePtr els;
    if (end == "else") {
      QW_TRY(ExpectBlockEnd());
      QW_ASSIGN_OR_RETURN(els, Body({"endfor"}, &end));
    }
    if (end.empty()) return Error("missing endfor");
    QW_TRY(ExpectBlockEnd());
    n->children.push_back(std::move(iter));
    n->children.push_back(std::move(body));
    n->children.push_back(std::move(els));
    n->children.push_back(std::move(filter));
    return n;
  }

  Result<NodePtr> Set() {
    QW_ASSIGN_OR_RETURN(std::string first, ExpectName());
    if (AcceptOp(".")) {
      NodePtr n = Make(Node::kSet);
      QW_ASSIGN_OR_RETURN(std::string attr, ExpectName());
      n->names = {first, attr};
      n->attr_set = true;
      QW_TRY(ExpectOp("="));
      QW_ASSIGN_OR_RETURN(NodePtr v, Expression());
      n->children.push_back(std::move(v));
      QW_TRY(ExpectBlockEnd());
      return n;
    }
    std::vector<std::string> targets = {first};
    while (AcceptOp(",")) {
      QW_ASSIGN_OR_RETURN(std::string t, ExpectName());
      targets.push_back(t);
    }
    if (AcceptOp("=")) {
      NodePtr n = Make(Node::kSet);
      n->names = targets;
      QW_ASSIGN_OR_RETURN(NodePtr v, Expression());
      n->children.push_back(std::move(v));
      QW_TRY(ExpectBlockEnd());
      return n;
    }
    // Block set: {% set x %}...{% endset %}, optionally {% set x | filter %}.
    NodePtr n = Make(Node::kSetBlock);
    n->names = targets;
    NodePtr filters;
    if (IsOp("|")) {
      NodePtr placeholder = Make(Node::kLiteral);
      QW_ASSIGN_OR_RETURN(filters, FilterChain(std::move(placeholder)));
    }
    QW_TRY(ExpectBlockEnd());
    std::string end;
    QW_ASSIGN_OR_RETURN(NodePtr body, Body({"endset"}, &end));
    if (end.empty()) return Error("missing endset");
    QW_TRY(ExpectBlockEnd());
    n->children.push_back(std::move(body));
    n->children.push_back(std::move(filters));
    return n;
  }

  Result<NodePtr> Macro() {
    NodePtr n = Make(Node::kMacro);
    QW_ASSIGN_OR_RETURN(n->name, ExpectName());
    QW_TRY(ExpectOp("("));
    while (!IsOp(")")) {
      QW_ASSIGN_OR_RETURN(std::string p, ExpectName());
      n->names.push_back(p);
      if (AcceptOp("=")) {
        QW_ASSIGN_OR_RETURN(NodePtr d, Expression());
        n->children.push_back(std::move(d));
      } else {
        n->children.push_back(nullptr);
      }
      if (!AcceptOp(",")) break;
    }
    QW_TRY(ExpectOp(")"));
    QW_TRY(ExpectBlockEnd());
    std::string end;
    QW_ASSIGN_OR_RETURN(NodePtr body, Body({"endmacro"}, &end));
    if (end.empty()) return Error("missing endmacro");
    if (Peek().type == Token::kName) Next();  // {% endmacro name %}
    QW_TRY(ExpectBlockEnd());
    n->children.push_back(std::move(body));
    return n;
  }

  // ---------------------------------------------------------------- expressions
  Result<NodePtr> Expression() {
    // Hostile templates nest deeply; the parser recurses, so bound the depth.
    if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
    struct Leave {
      int* d;
      ~Leave() { --*d; }
    } leave{&depth_};
    QW_ASSIGN_OR_RETURN(NodePtr e, OrExpr(false));
    if (IsName("if")) {
      Next();
      NodePtr n = Make(Node::kCondExpr);
      QW_ASSIGN_OR_RETURN(NodePtr cond, OrExpr(false));
      NodePtr els;
      if (AcceptName("else")) {
        QW_ASSIGN_OR_RETURN(els, Expression());
      }
      n->children.push_back(std::move(e));
      n->children.push_back(std::move(cond));
      n->children.push_back(std::move(els));
      return n;
    }
    return e;
  }

  Result<NodePtr> OrExpr(bool no_cond) {
    QW_ASSIGN_OR_RETURN(NodePtr l, AndExpr());
    while (AcceptName("or")) {
      NodePtr n = Make(Node::kOr);
      QW_ASSIGN_OR_RETURN(NodePtr r, AndExpr());
      n->children.push_back(std::move(l));
      n->children.push_back(std::move(r));
      l = std::move(n);
    }
    (void)no_cond;
    return l;
  }

  Result<NodePtr> AndExpr() {
    QW_ASSIGN_OR_RETURN(NodePtr l, NotExpr());
    while (AcceptName("and")) {
      NodePtr n = Make(Node::kAnd);
      QW_ASSIGN_OR_RETURN(NodePtr r, NotExpr());
      n->children.push_back(std::move(l));
      n->children.push_back(std::move(r));
      l = std::move(n);
    }
    return l;
  }

  Result<NodePtr> NotExpr() {
    if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
    struct Leave {
      int* d;
      ~Leave() { --*d; }
    } leave{&depth_};
    if (IsName("not")) {
      Next();
      NodePtr n = Make(Node::kUnary);
      n->name = "not";
      QW_ASSIGN_OR_RETURN(NodePtr e, NotExpr());
      n->children.push_back(std::move(e));
      return n;
    }
    return Compare();
  }

  Result<NodePtr> Compare() {
    QW_ASSIGN_OR_RETURN(NodePtr l, Math1());
    while (true) {
      std::string op;
      if (IsOp("==") || IsOp("!=") || IsOp("<") || IsOp("<=") || IsOp(">") || IsOp(">=")) {
        op = Next().text;
      } else if (IsName("in")) {
        Next();
        op = "in";
      } else if (IsName("not") && IsName("in", 1)) {
        pos_ += 2;
        op = "not in";
      } else {
        return l;
      }
      NodePtr n = Make(Node::kBinary);
      n->name = op;
      QW_ASSIGN_OR_RETURN(NodePtr r, Math1());
      n->children.push_back(std::move(l));
      n->children.push_back(std::move(r));
      l = std::move(n);
    }
  }

  Result<NodePtr> Binary(Result<NodePtr> (Parser::*next)(),
                         std::initializer_list<const char*> ops) {
    QW_ASSIGN_OR_RETURN(NodePtr l, (this->*next)());
    while (true) {
      const char* found = nullptr;
      for (const char* op : ops)
        if (IsOp(op)) found = op;
      if (!found) return l;
      Next();
      NodePtr n = Make(Node::kBinary);
      n->name = found;
      QW_ASSIGN_OR_RETURN(NodePtr r, (this->*next)());
      n->children.push_back(std::move(l));
      n->children.push_back(std::move(r));
      l = std::move(n);
    }
  }
  Result<NodePtr> Math1() { return Binary(&Parser::Concat, {"+", "-"}); }
  Result<NodePtr> Concat() { return Binary(&Parser::Math2, {"~"}); }
  Result<NodePtr> Math2() { return Binary(&Parser::Pow, {"*", "/", "//", "%"}); }
  Result<NodePtr> Pow() { return Binary(&Parser::Unary, {"**"}); }

  Result<NodePtr> Unary() {
    if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
    struct Leave {
      int* d;
      ~Leave() { --*d; }
    } leave{&depth_};
    if (IsOp("-") || IsOp("+")) {
      NodePtr n = Make(Node::kUnary);
      n->name = Next().text;
      QW_ASSIGN_OR_RETURN(NodePtr e, Unary());
      n->children.push_back(std::move(e));
      return n;
    }
    QW_ASSIGN_OR_RETURN(NodePtr p, Primary());
    QW_ASSIGN_OR_RETURN(p, Postfix(std::move(p)));
    return FilterChain(std::move(p));
  }

  Status Args(Node* call) {
    // after "(": positional and keyword arguments up to ")"
    while (!IsOp(")")) {
      if (Peek().type == Token::kName && IsOp("=", 1)) {
        call->names.push_back(Next().text);
        Next();
        QW_ASSIGN_OR_RETURN(NodePtr v, Expression());
        call->kwvalues.push_back(std::move(v));
      } else {
        QW_ASSIGN_OR_RETURN(NodePtr v, Expression());
        call->children.push_back(std::move(v));
      }
      if (!AcceptOp(",")) break;
    }
    return ExpectOp(")");
  }

  Result<NodePtr> Postfix(NodePtr e) {
    while (true) {
      if (AcceptOp(".")) {
        NodePtr n = Make(Node::kGetAttr);
        if (Peek().type == Token::kInt) {
          n->kind = Node::kGetItem;
          NodePtr idx = Make(Node::kLiteral);
          const std::string digits = Next().text;
          if (digits.size() > 18) return Error("integer attribute '" + digits + "' is too large");
          idx->value = Value::Integer(std::stoll(digits));
          n->children.push_back(std::move(e));
          n->children.push_back(std::move(idx));
        } else {
          QW_ASSIGN_OR_RETURN(n->name, ExpectName());
          n->children.push_back(std::move(e));
        }
        e = std::move(n);
      } else if (AcceptOp("[")) {
        NodePtr parts[3];
        bool slice = false;
        for (int k = 0; k < 3; ++k) {
          if (!IsOp(":") && !IsOp("]")) {
            QW_ASSIGN_OR_RETURN(parts[k], Expression());
          }
          if (k < 2 && AcceptOp(":")) {
            slice = true;
            continue;
          }
          break;
        }
        QW_TRY(ExpectOp("]"));
        NodePtr n = Make(slice ? Node::kSlice : Node::kGetItem);
        n->children.push_back(std::move(e));
        if (!slice && !parts[0]) return Error("empty subscript");
        n->children.push_back(std::move(parts[0]));
        if (slice) {
          n->children.push_back(std::move(parts[1]));
          n->children.push_back(std::move(parts[2]));
        }
        e = std::move(n);
      } else if (AcceptOp("(")) {
        NodePtr n = Make(Node::kCall);
        n->children.push_back(std::move(e));
        QW_TRY(Args(n.get()));
        e = std::move(n);
      } else {
        return e;
      }
    }
  }

  Result<NodePtr> FilterChain(NodePtr e) {
    while (true) {
      if (AcceptOp("|")) {
        NodePtr n = Make(Node::kFilter);
        QW_ASSIGN_OR_RETURN(n->name, ExpectName());
        while (AcceptOp(".")) {  // dotted filter names
          QW_ASSIGN_OR_RETURN(std::string more, ExpectName());
          n->name += "." + more;
        }
        n->children.push_back(std::move(e));
        if (AcceptOp("(")) QW_TRY(Args(n.get()));
        e = std::move(n);
      } else if (IsName("is")) {
        Next();
        NodePtr n = Make(Node::kTest);
        if (AcceptName("not")) n->negate = true;
        QW_ASSIGN_OR_RETURN(n->name, ExpectName());
        n->children.push_back(std::move(e));
        if (AcceptOp("(")) {
          QW_TRY(Args(n.get()));
        } else if (Peek().type == Token::kString || Peek().type == Token::kInt ||
                   Peek().type == Token::kFloat ||
                   (Peek().type == Token::kName && !IsName("and") && !IsName("or") &&
                    !IsName("else") && !IsName("if") && !IsName("is") && !IsName("in") &&
                    !IsName("not"))) {
          // One argument without parentheses: "is sameas false", "is divisibleby 3".
          QW_ASSIGN_OR_RETURN(NodePtr arg, Primary());
          QW_ASSIGN_OR_RETURN(arg, Postfix(std::move(arg)));
          n->children.push_back(std::move(arg));
        }
        e = std::move(n);
      } else {
        return e;
      }
    }
  }

  Result<NodePtr> Primary() {
    const Token& tok = Peek();
    if (tok.type == Token::kName) {
      Next();
      NodePtr n = Make(Node::kLiteral);
      if (tok.text == "true" || tok.text == "True")
        n->value = Value::Bool(true);
      else if (tok.text == "false" || tok.text == "False")
        n->value = Value::Bool(false);
      else if (tok.text == "none" || tok.text == "None")
        n->value = Value::None();
      else {
        n->kind = Node::kName;
        n->name = tok.text;
      }
      return n;
    }
    if (tok.type == Token::kString) {
      std::string s;
      while (Peek().type == Token::kString) s += Next().text;  // adjacent literals concatenate
      NodePtr n = Make(Node::kLiteral);
      n->value = Value::Str(std::move(s));
      return n;
    }
    if (tok.type == Token::kInt) {
      Next();
      NodePtr n = Make(Node::kLiteral);
      if (tok.text.size() > 36)
        return Error("integer literal '" + tok.text.substr(0, 40) + "...' is too large");
      Int v = 0;
      for (char c : tok.text) v = v * 10 + (c - '0');
      n->value = Value::Integer(v);
      return n;
    }
    if (tok.type == Token::kFloat) {
      Next();
      NodePtr n = Make(Node::kLiteral);
      n->value = Value::Float(std::strtod(tok.text.c_str(), nullptr));
      return n;
    }
    if (AcceptOp("(")) {
      if (AcceptOp(")")) {
        NodePtr n = Make(Node::kTuple);
        return n;
      }
      QW_ASSIGN_OR_RETURN(NodePtr first, Expression());
      if (AcceptOp(")")) return first;
      NodePtr n = Make(Node::kTuple);
      n->children.push_back(std::move(first));
      while (AcceptOp(",")) {
        if (IsOp(")")) break;
        QW_ASSIGN_OR_RETURN(NodePtr e, Expression());
        n->children.push_back(std::move(e));
      }
      QW_TRY(ExpectOp(")"));
      return n;
    }
    if (AcceptOp("[")) {
      NodePtr n = Make(Node::kList);
      while (!IsOp("]")) {
        QW_ASSIGN_OR_RETURN(NodePtr e, Expression());
        n->children.push_back(std::move(e));
        if (!AcceptOp(",")) break;
      }
      QW_TRY(ExpectOp("]"));
      return n;
    }
    if (AcceptOp("{")) {
      NodePtr n = Make(Node::kDict);
      while (!IsOp("}")) {
        QW_ASSIGN_OR_RETURN(NodePtr k, Expression());
        QW_TRY(ExpectOp(":"));
        QW_ASSIGN_OR_RETURN(NodePtr v, Expression());
        n->children.push_back(std::move(k));
        n->children.push_back(std::move(v));
        if (!AcceptOp(",")) break;
      }
      QW_TRY(ExpectOp("}"));
      return n;
    }
    return Error("unexpected '" + tok.text + "'");
  }

  static constexpr int kMaxDepth = 200;
  const std::vector<Token>& t_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<NodePtr> Parse(const std::vector<Token>& tokens) { return Parser(tokens).Template(); }

}  // namespace qw::tmpl
