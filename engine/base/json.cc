#include "engine/base/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "engine/base/utf8.h"

namespace lockstep {

void JsonWriter::comma() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

JsonWriter& JsonWriter::begin_object() {
  comma();
  out_ += '{';
  first_.push_back(true);
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  first_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  comma();
  out_ += '[';
  first_.push_back(true);
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  first_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  comma();
  escape(out_, k);
  out_ += ':';
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view s) {
  comma();
  escape(out_, s);
  return *this;
}
JsonWriter& JsonWriter::value(bool b) {
  comma();
  out_ += b ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::value(int64_t n) {
  comma();
  out_ += std::to_string(n);
  return *this;
}
JsonWriter& JsonWriter::value(uint64_t n) {
  comma();
  out_ += std::to_string(n);
  return *this;
}
JsonWriter& JsonWriter::value(double d) {
  comma();
  if (!std::isfinite(d)) {
    out_ += "null";
    return *this;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", d);
  out_ += buf;
  return *this;
}
JsonWriter& JsonWriter::null() {
  comma();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  comma();
  out_ += json;
  return *this;
}

// Always valid JSON in UTF-8: a byte that is not part of a well-formed
// UTF-8 sequence (scenario text may hold any bytes) is written as the
// code point of the same number (\u00XX, as Latin-1 would read it).
void JsonWriter::escape(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (const size_t n = utf8_sequence(s, i); n != 0) {
        out.append(s.substr(i, n));
        i += n - 1;
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

const JsonValue* JsonValue::get(std::string_view key) const {
  if (type != Type::kObject) return nullptr;
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string JsonValue::str(std::string_view key, std::string fallback) const {
  const JsonValue* v = get(key);
  return v && v->type == Type::kString ? v->text : fallback;
}

uint64_t JsonValue::u64(std::string_view key, uint64_t fallback) const {
  const JsonValue* v = get(key);
  if (!v || v->type != Type::kNumber) return fallback;
  try {
    return std::stoull(v->text);
  } catch (const std::exception&) {
    return fallback;
  }
}

double JsonValue::number(std::string_view key, double fallback) const {
  const JsonValue* v = get(key);
  if (!v || v->type != Type::kNumber) return fallback;
  try {
    return std::stod(v->text);
  } catch (const std::exception&) {
    return fallback;
  }
}

bool JsonValue::flag(std::string_view key, bool fallback) const {
  const JsonValue* v = get(key);
  return v && v->type == Type::kBool ? v->boolean : fallback;
}

namespace {

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : s_(text) {}

  Result<JsonValue> document() {
    JsonValue v;
    if (!value(v, 0)) return Status::InvalidArgument(error_);
    skip();
    if (at_ != s_.size()) return Status::InvalidArgument(where() + "text after the JSON document");
    return v;
  }

 private:
  std::string where() const { return "at byte " + std::to_string(at_) + ": "; }
  bool fail(const std::string& what) {
    if (error_.empty()) error_ = where() + what;
    return false;
  }
  void skip() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\t' || s_[at_] == '\r')) ++at_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(at_, word.size()) != word) return fail("expected " + std::string(word));
    at_ += word.size();
    return true;
  }

  bool value(JsonValue& v, int depth) {
    if (depth > 64) return fail("nested too deeply");
    skip();
    if (at_ >= s_.size()) return fail("unexpected end");
    const char c = s_[at_];
    if (c == '{') return object(v, depth);
    if (c == '[') return array(v, depth);
    if (c == '"') {
      v.type = JsonValue::Type::kString;
      return string(v.text);
    }
    if (c == 't' || c == 'f') {
      v.type = JsonValue::Type::kBool;
      v.boolean = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') return literal("null");
    if (c == '-' || (c >= '0' && c <= '9')) return number(v);
    return fail(std::string("unexpected '") + c + "'");
  }

  // JSON's number grammar exactly: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
  // and within a double's range (so a number read back is the one written).
  bool number(JsonValue& v) {
    const size_t start = at_;
    auto digits = [&] {
      const size_t from = at_;
      while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9') ++at_;
      return at_ > from;
    };
    if (s_[at_] == '-') ++at_;
    if (at_ < s_.size() && s_[at_] == '0') {
      ++at_;
    } else if (!digits()) {
      return fail("a number needs digits");
    }
    if (at_ < s_.size() && s_[at_] == '.') {
      ++at_;
      if (!digits()) return fail("a number needs digits after its '.'");
    }
    if (at_ < s_.size() && (s_[at_] == 'e' || s_[at_] == 'E')) {
      ++at_;
      if (at_ < s_.size() && (s_[at_] == '+' || s_[at_] == '-')) ++at_;
      if (!digits()) return fail("a number needs digits in its exponent");
    }
    if (at_ < s_.size() && std::string_view("0123456789.eE+-").find(s_[at_]) != std::string_view::npos) {
      return fail("malformed number");
    }
    v.type = JsonValue::Type::kNumber;
    v.text = std::string(s_.substr(start, at_ - start));
    if (!std::isfinite(std::strtod(v.text.c_str(), nullptr))) return fail("number out of range");
    return true;
  }

  bool object(JsonValue& v, int depth) {
    v.type = JsonValue::Type::kObject;
    ++at_;
    skip();
    if (at_ < s_.size() && s_[at_] == '}') {
      ++at_;
      return true;
    }
    for (;;) {
      skip();
      std::string key;
      if (at_ >= s_.size() || s_[at_] != '"') return fail("expected a member name");
      if (!string(key)) return false;
      skip();
      if (at_ >= s_.size() || s_[at_] != ':') return fail("expected ':'");
      ++at_;
      JsonValue member;
      if (!value(member, depth + 1)) return false;
      v.members.push_back(JsonMember{std::move(key), std::move(member)});
      skip();
      if (at_ < s_.size() && s_[at_] == ',') {
        ++at_;
        continue;
      }
      if (at_ < s_.size() && s_[at_] == '}') {
        ++at_;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  bool array(JsonValue& v, int depth) {
    v.type = JsonValue::Type::kArray;
    ++at_;
    skip();
    if (at_ < s_.size() && s_[at_] == ']') {
      ++at_;
      return true;
    }
    for (;;) {
      JsonValue item;
      if (!value(item, depth + 1)) return false;
      v.items.push_back(std::move(item));
      skip();
      if (at_ < s_.size() && s_[at_] == ',') {
        ++at_;
        continue;
      }
      if (at_ < s_.size() && s_[at_] == ']') {
        ++at_;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  bool string(std::string& out) {
    ++at_;  // the opening quote
    while (at_ < s_.size()) {
      const char c = s_[at_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_ >= s_.size()) break;
      const char e = s_[at_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (at_ + 4 > s_.size()) return fail("short \\u escape");
          unsigned code = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = s_[at_++];
            code = code * 16 + (h >= '0' && h <= '9'   ? h - '0'
                                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                       : 0);
          }
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
          }
          break;
        }
        default: out += e;  // \" \\ \/
      }
    }
    return fail("unterminated string");
  }

  std::string_view s_;
  size_t at_ = 0;
  std::string error_;
};

}  // namespace

Result<JsonValue> parse_json(std::string_view text) { return JsonReader(text).document(); }

}  // namespace lockstep
