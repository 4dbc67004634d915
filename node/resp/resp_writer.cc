// RESP2/RESP3 reply encoding (see resp_writer.h).
#include "node/resp/resp_writer.h"

#include <charconv>

namespace parley::resp {
namespace {

// Appends `type`, the number and CRLF in one append: a reply is mostly
// this, and one capacity check beats three.
template <typename Number>
void AppendLine(std::string* out, char type, Number value) {
  char line[24];  // type, at most 20 characters of int64/uint64, CRLF
  line[0] = type;
  char* end = std::to_chars(line + 1, line + sizeof(line) - 2, value).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out->append(line, static_cast<size_t>(end - line));  // (pointer, size): not the iterator overload's replace()
}

}  // namespace

void RespWriter::Header(char type, uint64_t count) { AppendLine(out_, type, count); }

void RespWriter::Simple(std::string_view text) {
  out_->push_back('+');
  out_->append(text);
  out_->append("\r\n", 2);
}

void RespWriter::Error(std::string_view text) {
  out_->push_back('-');
  if (text.find_first_of("\r\n") == std::string_view::npos) {
    out_->append(text);
  } else {
    out_->append(SanitizeErrorText(text));
  }
  out_->append("\r\n", 2);
}

void RespWriter::Integer(int64_t value) { AppendLine(out_, ':', value); }

void RespWriter::Bulk(std::string_view bytes) {
  Header('$', bytes.size());
  out_->append(bytes);
  out_->append("\r\n", 2);
}

void RespWriter::Null() { out_->append(protocol_ >= 3 ? "_\r\n" : "$-1\r\n"); }
void RespWriter::NullArray() { out_->append(protocol_ >= 3 ? "_\r\n" : "*-1\r\n"); }
void RespWriter::Array(size_t count) { Header('*', count); }
void RespWriter::Map(size_t pairs) {
  if (protocol_ >= 3) {
    Header('%', pairs);
  } else {
    Header('*', static_cast<uint64_t>(pairs) * 2);
  }
}
void RespWriter::Set(size_t count) { Header(protocol_ >= 3 ? '~' : '*', count); }
void RespWriter::Push(size_t count) { Header(protocol_ >= 3 ? '>' : '*', count); }

void RespWriter::Boolean(bool value) {
  if (protocol_ >= 3) {
    out_->append(value ? "#t\r\n" : "#f\r\n");
  } else {
    Integer(value ? 1 : 0);
  }
}

void RespWriter::Verbatim(std::string_view text) {
  if (protocol_ < 3) {
    Bulk(text);
    return;
  }
  Header('=', text.size() + 4);
  out_->append("txt:", 4);
  out_->append(text);
  out_->append("\r\n", 2);
}

std::string SanitizeErrorText(std::string_view text) {
  std::string clean(text);
  for (char& c : clean) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return clean;
}

}  // namespace parley::resp
