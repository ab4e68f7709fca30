// A small streaming JSON writer (reports, dumps; correct string escaping,
// commas placed automatically) and a small reader for lockstep's own JSON
// documents (merging shard results): numbers keep their text, so 64-bit
// seeds survive.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace lockstep {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(int64_t n);
  JsonWriter& value(uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
  JsonWriter& value(unsigned n) { return value(static_cast<uint64_t>(n)); }
  JsonWriter& value(double d);
  JsonWriter& null();
  // A value that is already JSON (the caller vouches for it).
  JsonWriter& raw(std::string_view json);

  const std::string& str() const { return out_; }

  static void escape(std::string& out, std::string_view s);

 private:
  void comma();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

struct JsonMember;

// A parsed JSON value.
struct JsonValue {
  enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // kString: the string; kNumber: the number as written
  std::vector<JsonValue> items;                             // kArray
  std::vector<JsonMember> members;                          // kObject, in order

  // The member `key` of an object, or null.
  const JsonValue* get(std::string_view key) const;
  std::string str(std::string_view key, std::string fallback = "") const;
  uint64_t u64(std::string_view key, uint64_t fallback = 0) const;
  double number(std::string_view key, double fallback = 0) const;
  bool flag(std::string_view key, bool fallback = false) const;
};

// One member of an object (a struct rather than a pair, so that the
// recursive type is complete wherever it is used).
struct JsonMember {
  std::string key;
  JsonValue value;
};

// Parses one JSON document (trailing whitespace allowed); errors say where.
Result<JsonValue> parse_json(std::string_view text);

}  // namespace lockstep
