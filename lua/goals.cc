// Goals named in a test's body, found before any run: a goal whose call
// never runs would otherwise never be known, and so never reported as
// unmet. A plain scan of the source, line by line: `sometimes(` or
// `reachable(` (not `unreachable(`) after `.` or `:`, then a string
// literal, outside `--` comments. A goal named by an expression, or
// called from a function outside the test's body, is known once it runs.
#include <cctype>
#include <string_view>

#include "lua/guest.h"

namespace lockstep::lua {

namespace {

// The string literal starting at s[i] (a quote) when it is the whole
// argument (a `,` or `)` follows it), or false.
bool literal_at(std::string_view s, size_t i, std::string& out) {
  if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return false;
  const size_t end = s.find(s[i], i + 1);
  if (end == std::string_view::npos) return false;
  out = std::string(s.substr(i + 1, end - i - 1));
  size_t next = end + 1;
  while (next < s.size() && s[next] == ' ') ++next;
  if (next >= s.size() || (s[next] != ',' && s[next] != ')')) return false;  // "a" .. i: an expression
  return out.find('\\') == std::string::npos;  // escapes: left to the run
}

// The goals one line names.
void scan_line(std::string_view line, const std::string& where, std::vector<GoalCount>& out) {
  line = line.substr(0, line.find("--"));
  for (std::string_view fn : {std::string_view("sometimes"), std::string_view("reachable")}) {
    for (size_t at = line.find(fn); at != std::string_view::npos; at = line.find(fn, at + 1)) {
      if (at == 0 || (line[at - 1] != '.' && line[at - 1] != ':')) continue;
      size_t i = at + fn.size();
      while (i < line.size() && line[i] == ' ') ++i;
      if (i >= line.size() || line[i] != '(') continue;
      ++i;
      while (i < line.size() && line[i] == ' ') ++i;
      std::string name;
      if (!literal_at(line, i, name)) continue;
      bool known = false;
      for (const GoalCount& g : out) known = known || (g.name == name && g.location == where);
      if (!known) out.push_back(GoalCount{name, where});
    }
  }
}

}  // namespace

std::vector<GoalCount> goals_in(const std::string& source, int first, int last, const char* short_src) {
  std::vector<GoalCount> out;
  int line = 1;
  size_t begin = 0;
  while (begin <= source.size() && line <= last) {
    size_t end = source.find('\n', begin);
    if (end == std::string::npos) end = source.size();
    if (line >= first) {
      scan_line(std::string_view(source).substr(begin, end - begin),
                std::string(short_src) + ":" + std::to_string(line), out);
    }
    begin = end + 1;
    ++line;
  }
  return out;
}

}  // namespace lockstep::lua
