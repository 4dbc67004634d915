// MsgpackReader: bounded unpacking and checked field access.
#include "protocol/msgpack_reader.h"

#include <exception>
#include <new>

namespace parley {

namespace {

// Walks msgpack bytes without building anything, enforcing the depth limit
// and the "declared elements never exceed the bytes left" rule.
class BoundsCheckingVisitor : public msgpack::null_visitor {
 public:
  BoundsCheckingVisitor(size_t byte_budget, size_t max_depth)
      : byte_budget_(byte_budget), max_depth_(max_depth) {}

  bool start_array(uint32_t num_elements) { return Open(num_elements); }
  bool end_array() { return Close(); }
  bool start_map(uint32_t num_kv_pairs) { return Open(uint64_t{num_kv_pairs} * 2); }
  bool end_map() { return Close(); }

  const char* failure() const { return failure_; }

 private:
  bool Open(uint64_t elements) {
    if (++depth_ > max_depth_) {
      failure_ = "nesting too deep";
      return false;
    }
    declared_ += elements;
    if (declared_ > byte_budget_) {
      failure_ = "collection length exceeds the bytes that follow";
      return false;
    }
    return true;
  }
  bool Close() {
    --depth_;
    return true;
  }

  size_t byte_budget_;
  size_t max_depth_;
  size_t depth_ = 0;
  uint64_t declared_ = 0;
  const char* failure_ = nullptr;
};

// Keep strings and binaries in place instead of copying them into the zone:
// decoders copy what they keep, and the input outlives the object tree.
bool ReferenceInput(msgpack::type::object_type, std::size_t, void*) { return true; }

const char* TypeName(msgpack::type::object_type type) {
  switch (type) {
    case msgpack::type::NIL: return "nil";
    case msgpack::type::BOOLEAN: return "bool";
    case msgpack::type::POSITIVE_INTEGER: return "unsigned integer";
    case msgpack::type::NEGATIVE_INTEGER: return "negative integer";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return "float";
    case msgpack::type::STR: return "str";
    case msgpack::type::BIN: return "bin";
    case msgpack::type::ARRAY: return "array";
    case msgpack::type::MAP: return "map";
    case msgpack::type::EXT: return "ext";
  }
  return "unknown type";
}

}  // namespace

namespace {
// The allocation-free first pass: proves the value at `offset` complete,
// shallow and proportionate to its size before anything is allocated.
Status ScanBounded(std::string_view data, size_t offset, const Limits& limits) {
  if (offset >= data.size()) return Status::Corruption("msgpack: no bytes left");
  BoundsCheckingVisitor visitor(data.size() - offset, limits.max_depth);
  size_t scan_offset = offset;
  try {
    if (!msgpack::parse(data.data(), data.size(), scan_offset, visitor)) {
      if (visitor.failure() != nullptr) return Status::Corruption(std::string("msgpack: ") + visitor.failure());
      return Status::Corruption("msgpack: truncated or invalid value");
    }
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("msgpack: ") + e.what());
  }
  return Status::Ok();
}

// The scan proved the value is complete, shallow and proportionate to its
// size; these limits are a second line of defence.
msgpack::unpack_limit SecondLineLimits(std::string_view data, size_t offset, const Limits& limits) {
  size_t remaining = data.size() - offset;
  return msgpack::unpack_limit(remaining, remaining, remaining, remaining, remaining, limits.max_depth + 1);
}
}  // namespace

Result<msgpack::object_handle> UnpackBounded(std::string_view data, size_t* offset,
                                             const Limits& limits) {
  PARLEY_RETURN_IF_ERROR(ScanBounded(data, *offset, limits));
  try {
    msgpack::object_handle handle = msgpack::unpack(data.data(), data.size(), *offset, &ReferenceInput, nullptr,
                                                    SecondLineLimits(data, *offset, limits));
    return handle;
  } catch (const std::bad_alloc&) {
    return Status::Corruption("msgpack: out of memory while unpacking");
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("msgpack: ") + e.what());
  }
}

Result<msgpack::object> UnpackBounded(std::string_view data, size_t* offset, const Limits& limits,
                                      msgpack::zone* zone) {
  PARLEY_RETURN_IF_ERROR(ScanBounded(data, *offset, limits));
  try {
    return msgpack::unpack(*zone, data.data(), data.size(), *offset, &ReferenceInput, nullptr,
                           SecondLineLimits(data, *offset, limits));
  } catch (const std::bad_alloc&) {
    return Status::Corruption("msgpack: out of memory while unpacking");
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("msgpack: ") + e.what());
  }
}

void MsgpackReader::Fail(std::string_view why) {
  if (status_.ok()) status_ = Status::Corruption(why);
}

uint64_t MsgpackReader::Uint(const msgpack::object& object, uint64_t max, const char* what) {
  if (!ok()) return 0;
  if (object.type != msgpack::type::POSITIVE_INTEGER) {
    Fail(std::string(what) + ": expected unsigned integer, got " + TypeName(object.type));
    return 0;
  }
  if (object.via.u64 > max) {
    Fail(std::string(what) + ": " + std::to_string(object.via.u64) + " exceeds " +
         std::to_string(max));
    return 0;
  }
  return object.via.u64;
}

bool MsgpackReader::Bool(const msgpack::object& object, const char* what) {
  if (!ok()) return false;
  if (object.type != msgpack::type::BOOLEAN) {
    Fail(std::string(what) + ": expected bool, got " + TypeName(object.type));
    return false;
  }
  return object.via.boolean;
}

std::string MsgpackReader::Bytes(const msgpack::object& object, size_t max_size, const char* what) {
  if (!ok()) return {};
  const char* data = nullptr;
  size_t size = 0;
  if (object.type == msgpack::type::STR) {
    data = object.via.str.ptr;
    size = object.via.str.size;
  } else if (object.type == msgpack::type::BIN) {
    data = object.via.bin.ptr;
    size = object.via.bin.size;
  } else {
    Fail(std::string(what) + ": expected str or bin, got " + TypeName(object.type));
    return {};
  }
  if (size > max_size) {
    Fail(std::string(what) + ": " + std::to_string(size) + " bytes exceeds limit " +
         std::to_string(max_size));
    return {};
  }
  return std::string(data, size);
}

std::span<const msgpack::object> MsgpackReader::Array(const msgpack::object& object,
                                                      size_t min_size, size_t max_size,
                                                      const char* what) {
  if (!ok()) return {};
  if (object.type != msgpack::type::ARRAY) {
    Fail(std::string(what) + ": expected array, got " + TypeName(object.type));
    return {};
  }
  size_t size = object.via.array.size;
  if (size < min_size) {
    Fail(std::string(what) + ": " + std::to_string(size) + " elements, need at least " +
         std::to_string(min_size));
    return {};
  }
  if (size > max_size) {
    Fail(std::string(what) + ": " + std::to_string(size) + " elements exceeds limit " +
         std::to_string(max_size));
    return {};
  }
  return {object.via.array.ptr, size};
}

std::span<const msgpack::object_kv> MsgpackReader::Map(const msgpack::object& object,
                                                       size_t max_size, const char* what) {
  if (!ok()) return {};
  if (object.type != msgpack::type::MAP) {
    Fail(std::string(what) + ": expected map, got " + TypeName(object.type));
    return {};
  }
  size_t size = object.via.map.size;
  if (size > max_size) {
    Fail(std::string(what) + ": " + std::to_string(size) + " entries exceeds limit " +
         std::to_string(max_size));
    return {};
  }
  return {object.via.map.ptr, size};
}

}  // namespace parley
