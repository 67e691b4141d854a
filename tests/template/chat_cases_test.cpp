// Every case of fixtures/chat/cases.jsonl: renderings byte-identical to Python Jinja2 as
// transformers configures it, and an error wherever the reference raised (raise_exception with
// the same message).

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "qianwen/template/chat.h"
#include "qianwen/template/json_value.h"
#include "test_util.h"

namespace qw::tmpl {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(ChatTemplates, AllReferenceCases) {
  const std::string dir = test::Fixtures() + "/chat";
  std::ifstream in(dir + "/cases.jsonl");
  std::map<std::string, Template> compiled;
  int total = 0, rendered_ok = 0, errors_ok = 0, failed = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++total;
    auto c = ParseJsonValue(line);
    ASSERT_TRUE(c.ok());
    const std::string id = ToStr(*c->Find("id"));
    const std::string tname = ToStr(*c->Find("template"));
    if (!compiled.count(tname)) {
      auto t = Template::Compile(ReadFile(dir + "/templates/" + tname));
      ASSERT_TRUE(t.ok()) << tname << ": " << t.status().ToString();
      compiled.emplace(tname, std::move(*t));
    }
    auto input = ChatInputFromJson(*c);
    RenderOptions opt;
    if (const Value* now = c->Find("now"); now && now->is_string()) opt.now_iso = now->str();
    Result<std::string> out = input.ok() ? RenderChat(compiled.at(tname), *input, opt)
                                         : Result<std::string>(input.status());
    if (const Value* err = c->Find("error")) {
      const std::string type = ToStr(*err->Find("type")), msg = ToStr(*err->Find("message"));
      if (out.ok()) {
        ++failed;
        ADD_FAILURE() << id << ": expected " << type << " (" << msg << "), rendered instead";
      } else if (type == "TemplateError" && out.status().message() != "TemplateError: " + msg) {
        ++failed;
        ADD_FAILURE() << id << ": expected TemplateError '" << msg << "', got "
                      << out.status().message();
      } else {
        ++errors_ok;
      }
      continue;
    }
    const std::string want = ToStr(*c->Find("rendered"));
    if (!out.ok()) {
      ++failed;
      ADD_FAILURE() << id << ": " << out.status().message();
    } else if (*out != want) {
      ++failed;
      size_t d = 0;
      while (d < want.size() && d < out->size() && want[d] == (*out)[d]) ++d;
      ADD_FAILURE() << id << ": differs at byte " << d
                    << "\n want: " << want.substr(d > 40 ? d - 40 : 0, 120)
                    << "\n  got: " << out->substr(d > 40 ? d - 40 : 0, 120);
    } else {
      ++rendered_ok;
    }
  }
  std::printf("[ chat ] %d cases: %d rendered identically, %d errors reproduced, %d failed\n",
              total, rendered_ok, errors_ok, failed);
  EXPECT_EQ(total, 1030);
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace qw::tmpl
