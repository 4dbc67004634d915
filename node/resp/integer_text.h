// Integer text: parsing and printing 64-bit integers the way Redis does.
//
// Redis accepts an integer argument only in canonical form: optional '-',
// no '+', no leading zeros, no spaces, fits in int64 (string2ll). Using the
// same rule keeps "value is not an integer or out of range" errors and
// INCR-on-a-string behaviour identical to Redis.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::resp {

bool ParseInt64(std::string_view text, int64_t* value);
// Non-negative only (cursors, counts); accepts the whole uint64 range.
bool ParseUint64(std::string_view text, uint64_t* value);

}  // namespace parley::resp
