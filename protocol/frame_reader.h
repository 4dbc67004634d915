// FrameReader: splits a TCP byte stream into length-prefixed frames.
//
// TCP delivers bytes in arbitrary pieces; a frame is a 4-byte big-endian
// length n followed by n bytes of sealed packet (see wire_codec.h). The
// reader checks n against the frame limit as soon as the 4 prefix bytes
// arrive, before buffering the body, so a hostile length never makes it
// allocate (I4). After an error the stream cannot be resynchronised and the
// caller must close the connection; the reader stays failed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace parley {

inline constexpr size_t kFrameLengthBytes = 4;

class FrameReader {
 public:
  explicit FrameReader(size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  // Appends bytes received from the socket.
  void Append(std::string_view bytes) { buffer_.append(bytes); }

  // The next complete frame's packet (prefix removed), nullopt if more bytes
  // are needed, or an error if the stream is invalid.
  Result<std::optional<std::string>> Next();

  bool failed() const { return !status_.ok(); }
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  size_t max_frame_bytes_;
  std::string buffer_;
  size_t consumed_ = 0;  // bytes of buffer_ already returned
  Status status_;
};

}  // namespace parley
