// Batch: a list of internal ops behind the public builder.
#include "parley/batch.h"

#include <string>

#include "node/embed/batch_rep.h"

namespace parley::embed {

Batch::Batch() : rep_(std::make_unique<Rep>()) {}
Batch::~Batch() = default;
Batch::Batch(const Batch& other) : rep_(std::make_unique<Rep>(*other.rep_)) {}
Batch& Batch::operator=(const Batch& other) {
  if (this != &other) *rep_ = *other.rep_;
  return *this;
}
// A moved-from batch stays usable (empty), so it gets a fresh Rep.
Batch::Batch(Batch&& other) noexcept : rep_(std::exchange(other.rep_, std::make_unique<Rep>())) {}
Batch& Batch::operator=(Batch&& other) noexcept {
  if (this != &other) {
    rep_.swap(other.rep_);
    other.rep_->ops.clear();
  }
  return *this;
}

Batch& Batch::Set(std::string_view key, std::string_view value) {
  rep_->ops.push_back(parley::Op::Set(std::string(key), std::string(value)));
  return *this;
}
Batch& Batch::Del(std::string_view key) {
  rep_->ops.push_back(parley::Op::Del(std::string(key)));
  return *this;
}
Batch& Batch::Incr(std::string_view key, int64_t amount) {
  rep_->ops.push_back(parley::Op::Incr(std::string(key), amount));
  return *this;
}
Batch& Batch::SAdd(std::string_view key, std::string_view member) {
  rep_->ops.push_back(parley::Op::SAdd(std::string(key), std::string(member)));
  return *this;
}
Batch& Batch::SRem(std::string_view key, std::string_view member) {
  rep_->ops.push_back(parley::Op::SRem(std::string(key), std::string(member)));
  return *this;
}
Batch& Batch::HSet(std::string_view key, std::string_view field, std::string_view value) {
  rep_->ops.push_back(parley::Op::HSet(std::string(key), std::string(field), std::string(value)));
  return *this;
}
Batch& Batch::HDel(std::string_view key, std::string_view field) {
  rep_->ops.push_back(parley::Op::HDel(std::string(key), std::string(field)));
  return *this;
}

size_t Batch::size() const { return rep_->ops.size(); }
void Batch::Clear() { rep_->ops.clear(); }

}  // namespace parley::embed
