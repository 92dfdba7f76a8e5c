/*
 * cpu_device.cpp — pstm_device_info for the CPU build: the processor model
 * and the host memory.
 */
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "common.h"

namespace {

/** "model name" of /proc/cpuinfo, or "CPU" where it cannot be read. */
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        const auto begin = line.find_first_not_of(" \t", colon + 1);
        if (begin != std::string::npos) return line.substr(begin);
      }
    }
  }
  return "CPU";
}

}  // namespace

extern "C" PSTM_API pstm_status pstm_device_info(int32_t device, char* name, int32_t name_len,
                                                 uint64_t* free_bytes, uint64_t* total_bytes) {
  if (device != 0) {
    return pstm::fail(PSTM_ERR_NO_DEVICE, "device %d does not exist: the CPU build has device 0",
                      device);
  }
  if (name == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "name is NULL");
  if (name_len < 1) {
    return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "name_len must be >= 1: got %d", name_len);
  }
  if (free_bytes == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "free_bytes is NULL");
  if (total_bytes == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "total_bytes is NULL");
  try {
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const std::string text = cpu_model() + " (" + std::to_string(std::max(1L, cores)) + " cores)";
    const long page = sysconf(_SC_PAGESIZE);
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long available = sysconf(_SC_AVPHYS_PAGES);
    const size_t n = std::min(text.size(), size_t(name_len) - 1);
    std::memcpy(name, text.data(), n);
    name[n] = '\0';
    *total_bytes = pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
    *free_bytes = available > 0 && page > 0 ? uint64_t(available) * uint64_t(page) : 0;
    return PSTM_OK;
  } catch (...) {
    return pstm::fail(PSTM_ERR_INTERNAL, "cannot describe the CPU");
  }
}
