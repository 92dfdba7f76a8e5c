/*
 * core_clock.cpp — pstm_bench_core_clock (pstm_bench.h): the clock the cores
 * run at while all of them are busy, from a chain of dependent integer adds
 * (one cycle each on every x86-64 and ARM64 core), for the kernel bench's
 * hardware bound. /proc/cpuinfo gives the nominal clock, which boosting cores
 * and virtual machines leave far behind (2.10 GHz read, 3.5 GHz run here).
 */
#include <omp.h>

#include <chrono>
#include <cstdint>

#include "pstm_bench.h"

namespace {

/** `rounds` x 16 dependent adds; the empty asm keeps each add in the chain. */
uint64_t add_chain(int64_t rounds, uint64_t x) {
  for (int64_t i = 0; i < rounds; ++i) {
#define PSTM_ADD x += 1; asm volatile("" : "+r"(x));
    PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD
    PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD PSTM_ADD
#undef PSTM_ADD
  }
  return x;
}

/** Adds per second of one chain over about `seconds`, after as long a warm-up. */
double adds_per_second(double seconds) {
  using clock = std::chrono::steady_clock;
  uint64_t x = 0;
  int64_t rounds = 1 << 16;
  // warm-up: the core leaves its idle clock; it also sizes the timed run
  for (auto start = clock::now();;) {
    x = add_chain(rounds, x);
    const double spent = std::chrono::duration<double>(clock::now() - start).count();
    if (spent >= seconds) break;
    if (rounds < (int64_t(1) << 40)) rounds *= 2;
  }
  const auto start = clock::now();
  x = add_chain(rounds, x);
  const double spent = std::chrono::duration<double>(clock::now() - start).count();
  return (16.0 * double(rounds) + double(x & 0)) / spent;
}

}  // namespace

PSTM_API pstm_status pstm_bench_core_clock(int32_t threads, double seconds, double* ghz) {
  if (ghz == nullptr || !(seconds > 0.0) || seconds > 10.0) return PSTM_ERR_INVALID_ARGUMENT;
  const int n = threads > 0 ? threads : omp_get_num_procs();
  double sum = 0.0;
#pragma omp parallel num_threads(n) reduction(+ : sum)
  sum += adds_per_second(seconds);
  *ghz = sum / double(n) / 1e9;
  return PSTM_OK;
}
