// Error reporting shared by every backend: a status code returned through the C ABI and a message kept per thread.
#pragma once

#include <string>

#include "r1_kernels.h"

namespace r1k {

// Records the message of a failed call for r1k_last_error() on this thread and returns the status.
r1k_status fail(r1k_status status, const std::string& message);

// Clears the message at the start of a call, so a stale error never describes a later success.
void clear_error();

}  // namespace r1k
