// MsgpackWriter: appends msgpack values to a std::string.
//
// A thin wrapper over msgpack::packer so encoders write straight into the
// output buffer (no intermediate sbuffer copy) and spell byte strings the
// same way everywhere: text (names, keys) as msgpack str, opaque bytes
// (values, payloads) as msgpack bin.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <msgpack.hpp>

namespace parley {

// The stream interface msgpack::packer expects.
class StringSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  void write(const char* data, size_t size) { out_->append(data, size); }

 private:
  std::string* out_;  // not owned
};

class MsgpackWriter {
 public:
  explicit MsgpackWriter(std::string* out) : sink_(out), packer_(sink_) {}

  void Array(uint32_t size) { packer_.pack_array(size); }
  void Map(uint32_t size) { packer_.pack_map(size); }
  void Uint(uint64_t value) { packer_.pack_uint64(value); }
  void Bool(bool value) { value ? packer_.pack_true() : packer_.pack_false(); }
  void Nil() { packer_.pack_nil(); }
  void Str(std::string_view text) {
    packer_.pack_str(static_cast<uint32_t>(text.size()));
    packer_.pack_str_body(text.data(), static_cast<uint32_t>(text.size()));
  }
  void Bin(std::string_view bytes) {
    packer_.pack_bin(static_cast<uint32_t>(bytes.size()));
    packer_.pack_bin_body(bytes.data(), static_cast<uint32_t>(bytes.size()));
  }

 private:
  StringSink sink_;
  msgpack::packer<StringSink> packer_;
};

}  // namespace parley
