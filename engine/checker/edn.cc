#include "engine/checker/edn.h"

#include <cctype>
#include <charconv>

namespace lockstep::checker {
namespace {

bool delimiter(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '(' || c == ')' || c == '[' || c == ']' ||
         c == '{' || c == '}' || c == '"' || c == ';';
}

}  // namespace

const Edn* Edn::get(std::string_view k) const {
  if (type != Type::kMap) return nullptr;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].is_keyword(k)) return &items[i + 1];
  }
  return nullptr;
}

std::string Edn::str() const {
  switch (type) {
    case Type::kNil: return "nil";
    case Type::kBool: return boolean ? "true" : "false";
    case Type::kInteger: return std::to_string(integer);
    case Type::kFloat: return text;
    case Type::kString: {
      std::string out = "\"";
      for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    case Type::kChar: return "\\" + text;
    case Type::kKeyword: return ":" + text;
    case Type::kSymbol: return text;
    case Type::kVector:
    case Type::kList:
    case Type::kSet: {
      std::string out = type == Type::kVector ? "[" : type == Type::kList ? "(" : "#{";
      for (size_t i = 0; i < items.size(); ++i) out += (i ? " " : "") + items[i].str();
      return out + (type == Type::kVector ? "]" : type == Type::kList ? ")" : "}");
    }
    case Type::kMap: {
      std::string out = "{";
      for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : i % 2 ? " " : ", ") + items[i].str();
      return out + "}";
    }
  }
  return "";
}

void EdnReader::skip_space() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '\n') {
      ++line_;
      line_start_ = ++pos_;
    } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++pos_;
    } else if (c == ';') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else {
      return;
    }
  }
}

bool EdnReader::done() {
  skip_space();
  return pos_ >= text_.size();
}

Status EdnReader::error(const std::string& what) const {
  return Status::InvalidArgument(std::to_string(line_) + ":" + std::to_string(pos_ - line_start_ + 1) + ": " + what);
}

Result<Edn> EdnReader::next() {
  Edn out;
  if (Status s = read(out, 0); !s.ok()) return s;
  return out;
}

Status EdnReader::read(Edn& out, int depth) {
  if (depth > kMaxDepth) return error("values nested more than " + std::to_string(kMaxDepth) + " deep");
  skip_space();
  if (pos_ >= text_.size()) return error("the text ends where a value was expected");
  const char c = text_[pos_];
  switch (c) {
    case '"': return read_string(out);
    case '[':
      ++pos_;
      out.type = Edn::Type::kVector;
      return read_items(out, ']', depth);
    case '(':
      ++pos_;
      out.type = Edn::Type::kList;
      return read_items(out, ')', depth);
    case '{':
      ++pos_;
      out.type = Edn::Type::kMap;
      if (Status s = read_items(out, '}', depth); !s.ok()) return s;
      if (out.items.size() % 2) return error("a map with a key but no value");
      return Status::Ok();
    case ')':
    case ']':
    case '}': return error(std::string("an unexpected '") + c + "'");
    case '#': {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '{') {
        pos_ += 2;
        out.type = Edn::Type::kSet;
        return read_items(out, '}', depth);
      }
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '_') {  // discard the next value
        pos_ += 2;
        Edn ignored;
        if (Status s = read(ignored, depth + 1); !s.ok()) return s;
        return read(out, depth);
      }
      Edn tag;  // #inst "...", #uuid "...", #jepsen.history.Op{...}: the value without its tag
      ++pos_;
      if (Status s = read_token(tag); !s.ok()) return s;
      return read(out, depth + 1);
    }
    case '\\': {
      ++pos_;
      const size_t start = pos_;
      while (pos_ < text_.size() && (pos_ == start || !delimiter(text_[pos_]))) ++pos_;
      out.type = Edn::Type::kChar;
      out.text = std::string(text_.substr(start, pos_ - start));
      return Status::Ok();
    }
    default: return read_token(out);
  }
}

Status EdnReader::read_items(Edn& out, char close, int depth) {
  for (;;) {
    skip_space();
    if (pos_ >= text_.size()) return error(std::string("the text ends before the closing '") + close + "'");
    if (text_[pos_] == close) {
      ++pos_;
      return Status::Ok();
    }
    Edn item;
    if (Status s = read(item, depth + 1); !s.ok()) return s;
    out.items.push_back(std::move(item));
  }
}

Status EdnReader::read_string(Edn& out) {
  out.type = Edn::Type::kString;
  ++pos_;
  while (pos_ < text_.size() && text_[pos_] != '"') {
    char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      line_start_ = pos_;
    }
    if (c == '\\' && pos_ < text_.size()) {
      const char e = text_[pos_++];
      c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
    }
    out.text += c;
  }
  if (pos_ >= text_.size()) return error("a string that does not end");
  ++pos_;
  return Status::Ok();
}

Status EdnReader::read_token(Edn& out) {
  const size_t start = pos_;
  while (pos_ < text_.size() && !delimiter(text_[pos_])) ++pos_;
  const std::string_view t = text_.substr(start, pos_ - start);
  if (t.empty()) return error("a value was expected");
  if (t == "nil") {
    out.type = Edn::Type::kNil;
  } else if (t == "true" || t == "false") {
    out.type = Edn::Type::kBool;
    out.boolean = t == "true";
  } else if (t[0] == ':') {
    if (t.size() == 1) return error("a keyword with no name");
    out.type = Edn::Type::kKeyword;
    out.text = std::string(t.substr(1));
  } else if (std::isdigit(static_cast<unsigned char>(t[0])) ||
             ((t[0] == '-' || t[0] == '+') && t.size() > 1 && std::isdigit(static_cast<unsigned char>(t[1])))) {
    std::string_view digits = t;
    if (digits.back() == 'N') digits.remove_suffix(1);  // arbitrary precision marker
    const char* begin = digits.data() + (digits[0] == '+' ? 1 : 0);
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(begin, digits.data() + digits.size(), v);
    if (ec == std::errc() && end == digits.data() + digits.size()) {
      out.type = Edn::Type::kInteger;
      out.integer = v;
    } else if (ec == std::errc::result_out_of_range) {
      return error("an integer out of 64-bit range: " + std::string(t.substr(0, 40)));
    } else {
      out.type = Edn::Type::kFloat;  // 1.5, 1e3, 3/4, 1.5M
      out.text = std::string(t);
    }
  } else {
    out.type = Edn::Type::kSymbol;
    out.text = std::string(t);
  }
  return Status::Ok();
}

}  // namespace lockstep::checker
