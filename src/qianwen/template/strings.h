#pragma once
// Python str behaviour over UTF-8: whitespace, case mapping, strip and split.

#include <string>
#include <vector>

namespace qw::tmpl {

bool IsPySpace(uint32_t cp);
std::string PyUpper(const std::string& s);
std::string PyLower(const std::string& s);
std::string PyCapitalize(const std::string& s);
std::string PyTitle(const std::string& s);
// strip/lstrip/rstrip: `chars` null means whitespace.
std::string PyStrip(const std::string& s, const std::string* chars, bool left, bool right);
// str.split(sep=None or sep, maxsplit); sep must not be empty.
std::vector<std::string> PySplit(const std::string& s, const std::string* sep, long maxsplit);
std::vector<std::string> PyRSplit(const std::string& s, const std::string* sep, long maxsplit);
bool IsWordChar(uint32_t cp);  // Python's \w

}  // namespace qw::tmpl
