// DeltaArchive: encoding and decoding entry points; cereal's exceptions stop here.
#include "storage/delta_archive.h"

#include <exception>

namespace parley {

void EncodeDeltaArchive(const Delta& delta, std::string* out) {
  StringOutputArchive archive(out);
  archive(delta);
}

Result<Delta> DecodeDeltaArchive(std::string_view bytes) {
  Delta delta;
  try {
    BoundedInputArchive archive(bytes);
    archive(delta);
    if (archive.remaining() != 0) {
      return Status::Corruption("delta followed by " + std::to_string(archive.remaining()) + " stray bytes");
    }
  } catch (const std::exception& e) {
    // cereal reports bad input by throwing; the rest of parley sees a Status.
    return Status::Corruption(std::string("delta does not decode: ") + e.what());
  }
  std::string why;
  if (!delta.IsWellFormed(&why)) return Status::Corruption("delta is malformed: " + why);
  return delta;
}

}  // namespace parley
