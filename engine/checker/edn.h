// A reader for the part of EDN (https://github.com/edn-format/edn) that
// Jepsen histories use: nil, booleans, integers, floats, strings,
// characters, keywords, symbols, vectors, lists, maps and sets, with
// comments (`;`), commas as whitespace, `#_` discards and tags (`#inst
// "..."`: the tag is dropped, the value kept). Nesting is bounded, so a
// hostile file gives an error, not a stack overflow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/status.h"

namespace lockstep::checker {

struct Edn {
  enum class Type : uint8_t { kNil, kBool, kInteger, kFloat, kString, kChar, kKeyword, kSymbol, kVector, kList, kMap, kSet };
  Type type = Type::kNil;
  bool boolean = false;
  int64_t integer = 0;
  std::string text;         // string, keyword (without ':'), symbol, char, float (as written)
  std::vector<Edn> items;   // vector, list, set; a map's keys and values alternate

  bool is(Type t) const { return type == t; }
  bool is_keyword(std::string_view k) const { return type == Type::kKeyword && text == k; }
  bool is_sequence() const { return type == Type::kVector || type == Type::kList; }
  // A map's value for keyword `k`, or null.
  const Edn* get(std::string_view k) const;
  // The value as EDN text (a key or an element as a report shows it).
  std::string str() const;
};

// Reads EDN values from a text one after another.
class EdnReader {
 public:
  explicit EdnReader(std::string_view text) : text_(text) {}
  // Whether only whitespace and comments are left.
  bool done();
  // The next value. Errors say what was expected and where (line:column).
  Result<Edn> next();
  // The line (1-based) the reader is on.
  size_t line() const { return line_; }

 private:
  static constexpr int kMaxDepth = 200;
  void skip_space();
  Status error(const std::string& what) const;
  Status read(Edn& out, int depth);
  Status read_string(Edn& out);
  Status read_token(Edn& out);
  Status read_items(Edn& out, char close, int depth);

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace lockstep::checker
