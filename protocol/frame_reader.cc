// FrameReader: incremental length-prefix parsing with an early size check.
#include "protocol/frame_reader.h"

#include "protocol/envelope.h"

namespace parley {

Result<std::optional<std::string>> FrameReader::Next() {
  if (!status_.ok()) return status_;
  size_t available = buffer_.size() - consumed_;
  if (available < kFrameLengthBytes) return std::optional<std::string>();
  size_t length = ReadBigEndian32(buffer_.data() + consumed_);
  if (length == 0 || length > max_frame_bytes_) {
    status_ = Status::Corruption("frame length " + std::to_string(length) +
                                 (length == 0 ? " is empty" : " exceeds the limit of " +
                                                                  std::to_string(max_frame_bytes_)));
    buffer_.clear();
    consumed_ = 0;
    return status_;
  }
  if (available - kFrameLengthBytes < length) return std::optional<std::string>();
  std::string packet = buffer_.substr(consumed_ + kFrameLengthBytes, length);
  consumed_ += kFrameLengthBytes + length;
  // Compact once the consumed prefix dominates, keeping appends amortised O(1).
  if (consumed_ > buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  return std::optional<std::string>(std::move(packet));
}

}  // namespace parley
