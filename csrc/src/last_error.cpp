/*
 * last_error.cpp — the message behind pstm_last_error().
 *
 * The message of the most recent failure is kept process-wide (under a
 * mutex), not only per thread: Deno runs `nonblocking` FFI calls on a worker
 * thread, and the host reads the message afterwards from its own thread.
 * pstm_last_error() copies it into a thread-local buffer so the returned
 * pointer stays valid until the caller's next pstm call.
 */
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string>

#include "common.h"

namespace {
std::mutex error_mutex;
std::string last_message;              // guarded by error_mutex
thread_local std::string reader_copy;  // what pstm_last_error() hands out
}  // namespace

namespace pstm {

pstm_status fail(pstm_status code, const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  try {
    std::lock_guard<std::mutex> lock(error_mutex);
    last_message = buffer;
  } catch (...) {
    // keep the status even when the message cannot be stored
  }
  return code;
}

}  // namespace pstm

extern "C" PSTM_API const char* pstm_last_error(void) {
  try {
    std::lock_guard<std::mutex> lock(error_mutex);
    reader_copy = last_message;
    return reader_copy.c_str();
  } catch (...) {
    return "";
  }
}
