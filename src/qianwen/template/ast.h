#pragma once
// The syntax tree of a template: expressions and statements in one node type.

#include <memory>
#include <string>
#include <vector>

#include "qianwen/template/value.h"

namespace qw::tmpl {

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  enum Kind {
    // expressions
    kLiteral,  // value
    kName,     // name
    kList,     // children
    kTuple,    // children
    kDict,     // children: key, value, key, value...
    kGetAttr,  // children[0].name
    kGetItem,  // children[0][children[1]]
    kSlice,    // children[0][a:b:c]: children[1..3] (nullptr when omitted)
    kCall,     // children[0](args); kwargs in names/kwvalues
    kFilter,   // children[0] | name(args)
    kTest,     // children[0] is [not] name(args); negate
    kUnary,    // op children[0]: "not", "-", "+"
    kBinary,   // children[0] op children[1]
    kAnd,
    kOr,
    kCondExpr,  // children: then, cond, else (else may be nullptr)
    // statements
    kText,      // name = the text
    kOutput,    // {{ children[0] }}
    kBody,      // children: statements
    kIf,        // children: cond, then-body, else-node (nullptr, a body, or another kIf)
    kFor,       // targets in names; children: iter, body, else-body (nullptr), filter (nullptr)
    kSet,       // targets in names (attr set: names = {ns, attr} with attr_set); children[0] value
    kSetBlock,  // names[0]; children: body, filter-chain expr (nullptr)
    kMacro,     // name; names = params; children: defaults (nullptr each when none), last = body
    kBreak,
    kContinue,
    kGeneration,  // children[0] body
  };
  Kind kind;
  int line = 0;
  std::string name;  // name, attribute, filter/test/op name, text
  Value value;
  bool negate = false;
  bool attr_set = false;
  std::vector<NodePtr> children;
  std::vector<std::string> names;  // for targets, kwarg names, macro params
  std::vector<NodePtr> kwvalues;   // keyword argument values (kCall, kFilter, kTest)
};

}  // namespace qw::tmpl
