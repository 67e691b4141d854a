// The template language in isolation: whitespace control, scoping, Python printing, and
// hostile templates that must fail cleanly.

#include <gtest/gtest.h>

#include "qianwen/template/interpreter.h"
#include "qianwen/template/json_value.h"

namespace qw::tmpl {
namespace {

std::string R(const std::string& src, const std::string& vars_json = "{}") {
  auto t = Template::Compile(src);
  if (!t.ok()) return "COMPILE: " + t.status().message();
  auto v = ParseJsonValue(vars_json);
  std::vector<std::pair<std::string, Value>> vars;
  for (const auto& [k, x] : v->dict()) vars.emplace_back(k.str(), x);
  auto r = t->Render(vars);
  return r.ok() ? *r : "ERROR: " + r.status().message();
}

TEST(Jinja, WhitespaceControl) {
  EXPECT_EQ(R("a\n{% if true %}\nb\n{% endif %}\nc\n"),
            "a\nb\nc");                                      // trim_blocks, final newline dropped
  EXPECT_EQ(R("a\n    {% if true %}x{% endif %}"), "a\nx");  // lstrip_blocks
  EXPECT_EQ(R("a\n    {%+ if true %}x{% endif %}"), "a\n    x");  // {%+ keeps the indent
  EXPECT_EQ(R("a  {{- 'b' -}}  c"), "abc");
  EXPECT_EQ(R("{% raw %}{{ x }}{% endraw %}"), "{{ x }}");
  EXPECT_EQ(R("a {# c #} b"), "a  b");
}

TEST(Jinja, ScopingAndNamespace) {
  EXPECT_EQ(R("{% set x = 1 %}{% for i in [1,2] %}{% set x = i %}{% endfor %}{{ x }}"), "1");
  EXPECT_EQ(R("{% set ns = namespace(x=1) %}{% for i in [1,2] %}{% set ns.x = i %}{% endfor %}{{ "
              "ns.x }}"),
            "2");
  EXPECT_EQ(R("{% macro m(a, b='d') %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }}{{ m(2, b=3) }}"),
            "1d23");
  EXPECT_EQ(R("{% for x in xs %}{{ loop.index }}{{ x }}{% if loop.last %}.{% endif %}{% endfor %}",
              R"({"xs":["a","b"]})"),
            "1a2b.");
  EXPECT_EQ(R("{% for x in [1,2,3,4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% "
              "break %}{% endif %}{{ x }}{% endfor %}"),
            "13");
}

TEST(Jinja, PythonPrinting) {
  EXPECT_EQ(R("{{ x }}", R"({"x":[1, 2.0, "a'b", null, true, {"k": 1e21}]})"),
            "[1, 2.0, \"a'b\", None, True, {'k': 1e+21}]");
  EXPECT_EQ(R("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 / 2 }} {{ -7 % 3 }} {{ 2 ** 70 }} {{ 0.1 + 0.2 }}"),
            "3 -4 3.5 2 1180591620717411303424 0.30000000000000004");
  EXPECT_EQ(
      R("{{ 'abc'[::-1] }} {{ 'a,b'.split(',') }} {{ '  x '.strip() }} {{ 'xax'.strip('x') }}"),
      "cba ['a', 'b'] x a");
  EXPECT_EQ(R("{{ x | tojson }}", R"({"x":{"b":"é\n","a":[1,2]}})"),
            R"({"b": "é\n", "a": [1, 2]})");
  EXPECT_EQ(R("{{ x | tojson(indent=2) }}", R"({"x":{"a":[1]}})"), "{\n  \"a\": [\n    1\n  ]\n}");
  EXPECT_EQ(R("{{ 2.5 | round }} {{ 3.5 | round }} {{ '%05.2f' | format(3.14159) }}"),
            "2.0 4.0 03.14");
}

TEST(Jinja, ErrorsArePythonsAndNeverCrash) {
  EXPECT_EQ(R("{{ raise_exception('boom') }}"), "ERROR: TemplateError: boom");
  EXPECT_EQ(R("{{ 'a' + none }}").rfind("ERROR: TypeError", 0), 0u);
  EXPECT_EQ(R("{{ x.y.z }}").rfind("ERROR: UndefinedError", 0), 0u);
  EXPECT_EQ(R("{{ xs.append(1) }}", R"({"xs":[]})").rfind("ERROR: SecurityError", 0), 0u);
  EXPECT_EQ(R("{{ x }}"), "");  // undefined prints as nothing
  EXPECT_EQ(R("{% if %}").rfind("COMPILE: TemplateSyntaxError", 0), 0u);
  EXPECT_EQ(R("{{ 'abc").rfind("COMPILE: TemplateSyntaxError", 0), 0u);
  EXPECT_EQ(R("{% for x in y %}").rfind("COMPILE: TemplateSyntaxError: missing endfor", 0), 0u);
  EXPECT_EQ(R("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}")
                .rfind("COMPILE: TemplateSyntaxError", 0),
            0u);
  EXPECT_EQ(R("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").rfind("ERROR: RecursionError", 0),
            0u);
  EXPECT_EQ(R("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
                .rfind("ERROR", 0),
            0u);
}

}  // namespace
}  // namespace qw::tmpl
