/*
 * cuda_driver.c — checks libpstm_cuda against libpstm_cpu and against a tiny
 * float64 plain-mode reference embedded here (no Deno).
 *
 *   usage: pstm_cuda_driver path/to/libpstm_cuda.so path/to/libpstm_cpu.so
 *
 * Both libraries export the same pstm_* symbols, so each is dlopen()ed with
 * RTLD_LOCAL and called through its own table of function pointers.
 * The checks that need no GPU run first (ABI version, backend name, device
 * count = 0 reported as PSTM_OK with a reason, NO_DEVICE from
 * pstm_context_create); with 0 CUDA devices the driver then prints the
 * reason and exits 77, which ctest reports as skipped.
 *
 * With a device: plain and full mode, several batches (double buffering,
 * slot growth), two tiles fed in turn on one context, out-of-range classes,
 * statistics, and parameter validation. Tolerance: relative L2 <= 1e-3.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pstm.h"

#define SKIP 77
static const double kPi = 3.14159265358979323846;
static const double kTolerance = 1e-3;

/** The ABI of one loaded library. */
typedef struct Lib {
  void* handle;
  int32_t (*abi_version)(void);
  const char* (*backend_name)(void);
  const char* (*last_error)(void);
  pstm_status (*device_count)(int32_t*);
  pstm_status (*device_info)(int32_t, char*, int32_t, uint64_t*, uint64_t*);
  pstm_status (*context_create)(int32_t, int32_t, pstm_context**);
  void (*context_destroy)(pstm_context*);
  pstm_status (*tile_open)(pstm_context*, const pstm_params*, const float*, const float*,
                           float*, pstm_tile**);
  pstm_status (*tile_accumulate)(pstm_tile*, int32_t, const float*, const float*,
                                 const int32_t*);
  pstm_status (*tile_finish)(pstm_tile*);
  void (*tile_destroy)(pstm_tile*);
  pstm_status (*context_stats)(const pstm_context*, pstm_stats*);
  pstm_status (*set_traveltime_table)(pstm_tile*, int32_t, float);
  const char* (*context_target)(const pstm_context*);
} Lib;

static int failures = 0;

#define EXPECT(cond, ...)                                      \
  do {                                                         \
    if (!(cond)) {                                             \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);     \
      fprintf(stderr, __VA_ARGS__);                            \
      fprintf(stderr, "\n");                                   \
      ++failures;                                              \
    }                                                          \
  } while (0)

static void* need(void* handle, const char* path, const char* name) {
  void* f = dlsym(handle, name);
  if (f == NULL) {
    fprintf(stderr, "%s: missing symbol %s\n", path, name);
    exit(1);
  }
  return f;
}

static Lib load(const char* path) {
  Lib lib;
  memset(&lib, 0, sizeof lib);
  lib.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (lib.handle == NULL) {
    fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
    exit(1);
  }
#define SYM(field, name) *(void**)(&lib.field) = need(lib.handle, path, name)
  SYM(abi_version, "pstm_abi_version");
  SYM(backend_name, "pstm_backend_name");
  SYM(last_error, "pstm_last_error");
  SYM(device_count, "pstm_device_count");
  SYM(device_info, "pstm_device_info");
  SYM(context_create, "pstm_context_create");
  SYM(context_destroy, "pstm_context_destroy");
  SYM(tile_open, "pstm_tile_open");
  SYM(tile_accumulate, "pstm_tile_accumulate");
  SYM(tile_finish, "pstm_tile_finish");
  SYM(tile_destroy, "pstm_tile_destroy");
  SYM(context_stats, "pstm_context_stats");
  SYM(set_traveltime_table, "pstm_tile_set_traveltime_table");
  SYM(context_target, "pstm_context_target");
#undef SYM
  return lib;
}

/* ---- a small survey ---------------------------------------------------- */

static uint32_t rng_state = 12345u;
static double uniform(void) { /* [0, 1) */
  rng_state = rng_state * 1664525u + 1013904223u;
  return (rng_state >> 8) / 16777216.0;
}

typedef struct Survey {
  pstm_params p;
  float* points;    /* [npoints][2] */
  float* velocity;  /* [npoints][ntau] */
  int32_t ntraces;
  float* traces;    /* [ntraces][ns] */
  float* geometry;  /* [ntraces][4] */
  int32_t* classes; /* [ntraces] */
} Survey;

static double ricker(double t, double f) {
  const double a = kPi * f * t;
  return (1 - 2 * a * a) * exp(-a * a);
}

/** 12 x 10 output points at 25 m, traces with midpoints over and far around them. */
static Survey make_survey(int full) {
  Survey s;
  memset(&s, 0, sizeof s);
  pstm_params* p = &s.p;
  p->ns = 400;
  p->t0 = 0.0f;
  p->dt = 0.004f;
  p->npoints = 120;
  p->ntau = 300;
  p->tau0 = 0.0f;
  p->dtau = 0.004f;
  p->nclass = 2;
  p->aperture = 600.0f;
  p->trace_spacing = 25.0f;
  if (full) {
    p->max_angle = 60.0f;
    p->taper = 0.2f;
    p->antialias = 1;
    p->weights = PSTM_WEIGHTS_SPREADING;
    p->eta = 0.08f;
  }
  s.points = malloc(sizeof(float) * 2 * p->npoints);
  s.velocity = malloc(sizeof(float) * p->npoints * p->ntau);
  for (int j = 0; j < p->npoints; ++j) {
    s.points[2 * j] = 25.0f * (j % 12);
    s.points[2 * j + 1] = 25.0f * (j / 12);
    for (int it = 0; it < p->ntau; ++it) {
      const double tau = p->tau0 + it * p->dtau;
      s.velocity[j * p->ntau + it] = (float)(1800.0 + 1500.0 * tau + 0.5 * s.points[2 * j]);
    }
  }
  s.ntraces = 700;
  s.traces = malloc(sizeof(float) * s.ntraces * p->ns);
  s.geometry = malloc(sizeof(float) * 4 * s.ntraces);
  s.classes = malloc(sizeof(int32_t) * s.ntraces);
  double* sample = malloc(sizeof(double) * p->ns);
  for (int k = 0; k < s.ntraces; ++k) {
    /* midpoints sweep along x, as in a sorted survey, so that chunks of traces
       are spatially compact and far chunks are skipped by the kernel */
    const double mx = -900 + 2100 * (k + uniform()) / s.ntraces, my = -300 + 825 * uniform();
    const double half = 0.5 * 1200 * uniform(), azimuth = 2 * kPi * uniform();
    s.geometry[4 * k + 0] = (float)(mx - half * cos(azimuth));
    s.geometry[4 * k + 1] = (float)(my - half * sin(azimuth));
    s.geometry[4 * k + 2] = (float)(mx + half * cos(azimuth));
    s.geometry[4 * k + 3] = (float)(my + half * sin(azimuth));
    s.classes[k] = k % 7 == 6 ? (k % 2 ? -1 : 2) : k % 2; /* some out of range: skipped */
    for (int i = 0; i < p->ns; ++i) {
      const double t = p->t0 + i * p->dt;
      sample[i] = ricker(t - 0.3, 25) - 0.7 * ricker(t - 0.9, 20) + 0.4 * ricker(t - 1.3, 15) +
                  0.05 * (uniform() - 0.5);
    }
    if (full) { /* antialiasing reads the double integral of the trace */
      for (int pass = 0; pass < 2; ++pass) {
        double mean = 0, acc = 0;
        for (int i = 0; i < p->ns; ++i) mean += sample[i] / p->ns;
        for (int i = 0; i < p->ns; ++i) sample[i] = (acc += sample[i] - mean);
      }
    }
    for (int i = 0; i < p->ns; ++i) s.traces[(size_t)k * p->ns + i] = (float)sample[i];
  }
  free(sample);
  return s;
}

static void free_survey(Survey* s) {
  free(s->points);
  free(s->velocity);
  free(s->traces);
  free(s->geometry);
  free(s->classes);
}

/** Plain mode in float64: DSR time, linear interpolation, hard radius disc. */
static double plain_reference(const Survey* s, double* image) {
  const pstm_params* p = &s->p;
  double contributions = 0;
  for (int k = 0; k < s->ntraces; ++k) {
    const int cls = s->classes[k];
    if (cls < 0 || cls >= p->nclass) continue;
    const float* g = s->geometry + 4 * k;
    const float* trace = s->traces + (size_t)k * p->ns;
    for (int j = 0; j < p->npoints; ++j) {
      const double px = s->points[2 * j], py = s->points[2 * j + 1];
      const double ds2 = (px - g[0]) * (px - g[0]) + (py - g[1]) * (py - g[1]);
      const double dr2 = (px - g[2]) * (px - g[2]) + (py - g[3]) * (py - g[3]);
      const double dm = hypot(px - 0.5 * (g[0] + g[2]), py - 0.5 * (g[1] + g[3]));
      if (p->aperture > 0 && dm > p->aperture) continue;
      for (int it = 0; it < p->ntau; ++it) {
        const double h = 0.5 * (p->tau0 + it * (double)p->dtau);
        const double v = s->velocity[j * p->ntau + it];
        const double t = sqrt(h * h + ds2 / (v * v)) + sqrt(h * h + dr2 / (v * v));
        const double u = (t - p->t0) / p->dt;
        if (!(u >= 0 && u <= p->ns - 1)) continue;
        const int i = (int)floor(u);
        const double f = u - i;
        const double value = i + 1 < p->ns ? (1 - f) * trace[i] + f * trace[i + 1] : trace[i];
        image[((size_t)cls * p->npoints + j) * p->ntau + it] += value;
        contributions += 1;
      }
    }
  }
  return contributions;
}

/* ---- running a library ------------------------------------------------- */

static int check(const Lib* lib, pstm_status status, const char* what) {
  if (status != PSTM_OK) {
    fprintf(stderr, "FAIL %s (%s): status %d: %s\n", what, lib->backend_name(), (int)status,
            lib->last_error());
    ++failures;
    return 0;
  }
  return 1;
}

/** Migrates the survey in batches of the given sizes (cycled); returns contributions. */
static double migrate(const Lib* lib, const Survey* s, const int* batch_sizes, int nbatch,
                      float* image) {
  pstm_context* ctx = NULL;
  pstm_tile* tile = NULL;
  pstm_stats stats;
  memset(&stats, 0, sizeof stats);
  memset(image, 0, sizeof(float) * s->p.nclass * s->p.npoints * s->p.ntau);
  if (!check(lib, lib->context_create(0, 0, &ctx), "context_create")) return -1;
  if (check(lib, lib->tile_open(ctx, &s->p, s->points, s->velocity, image, &tile), "tile_open")) {
    for (int k = 0, b = 0; k < s->ntraces; ++b) {
      int n = batch_sizes[b % nbatch];
      if (n > s->ntraces - k) n = s->ntraces - k;
      if (!check(lib,
                 lib->tile_accumulate(tile, n, s->traces + (size_t)k * s->p.ns,
                                      s->geometry + 4 * k, s->classes + k),
                 "tile_accumulate")) {
        break;
      }
      k += n;
    }
    check(lib, lib->tile_accumulate(tile, 0, NULL, NULL, NULL), "tile_accumulate(0)");
    check(lib, lib->tile_finish(tile), "tile_finish");
    check(lib, lib->context_stats(ctx, &stats), "context_stats");
    lib->tile_destroy(tile);
  }
  lib->context_destroy(ctx);
  return stats.contributions;
}

static double rel_l2(const float* a, const double* b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += b[i] * b[i];
  }
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

static void compare(const char* what, const float* gpu, const float* cpu, size_t n) {
  double* cpu64 = malloc(sizeof(double) * n);
  for (size_t i = 0; i < n; ++i) cpu64[i] = cpu[i];
  const double err = rel_l2(gpu, cpu64, n);
  printf("%-40s relative L2 %.3g (tolerance %g)\n", what, err, kTolerance);
  EXPECT(err <= kTolerance, "%s: relative L2 %.3g > %g", what, err, kTolerance);
  free(cpu64);
}

static void compare_counts(const char* what, double a, double b) {
  printf("%-40s contributions %.0f vs %.0f\n", what, a, b);
  EXPECT(b > 0 && fabs(a - b) <= 1e-3 * b, "%s: contributions %.0f vs %.0f", what, a, b);
}

static void run_mode(const Lib* cuda, const Lib* cpu, int full) {
  Survey s = make_survey(full);
  const size_t n = (size_t)s.p.nclass * s.p.npoints * s.p.ntau;
  float* gpu_image = malloc(sizeof(float) * n);
  float* cpu_image = malloc(sizeof(float) * n);
  const int batches[] = {64, 200, 17, 300}; /* grows the slots, odd sizes */
  const char* mode = full ? "full" : "plain";
  char what[64];

  const double gpu_count = migrate(cuda, &s, batches, 4, gpu_image);
  const double cpu_count = migrate(cpu, &s, batches, 4, cpu_image);
  snprintf(what, sizeof what, "%s: cuda vs cpu", mode);
  compare(what, gpu_image, cpu_image, n);
  compare_counts(what, gpu_count, cpu_count);

  if (!full) {
    double* ref = calloc(n, sizeof(double));
    const double ref_count = plain_reference(&s, ref);
    const double err = rel_l2(gpu_image, ref, n);
    printf("%-40s relative L2 %.3g (tolerance %g)\n", "plain: cuda vs float64 reference", err,
           kTolerance);
    EXPECT(err <= kTolerance, "plain vs reference: relative L2 %.3g", err);
    compare_counts("plain: cuda vs float64 reference", gpu_count, ref_count);
    free(ref);
  }

  /* one batch of everything gives the same image as many batches */
  const int all[] = {s.ntraces};
  migrate(cuda, &s, all, 1, cpu_image);
  snprintf(what, sizeof what, "%s: cuda one batch vs many", mode);
  compare(what, gpu_image, cpu_image, n);

  free(gpu_image);
  free(cpu_image);
  free_survey(&s);
}

/** Two tiles (the two halves of the points) fed in turn on one context. */
static void run_two_tiles(const Lib* cuda) {
  Survey s = make_survey(0);
  const int half = s.p.npoints / 2;
  pstm_params p = s.p;
  p.npoints = half;
  const size_t n_half = (size_t)p.nclass * half * p.ntau;
  const size_t n = (size_t)s.p.nclass * s.p.npoints * s.p.ntau;
  float* whole = malloc(sizeof(float) * n);
  float* a = calloc(n_half, sizeof(float));
  float* b = calloc(n_half, sizeof(float));
  const int batch[] = {128};
  migrate(cuda, &s, batch, 1, whole);

  pstm_context* ctx = NULL;
  pstm_tile *ta = NULL, *tb = NULL;
  if (!check(cuda, cuda->context_create(0, 0, &ctx), "context_create")) return;
  check(cuda, cuda->tile_open(ctx, &p, s.points, s.velocity, a, &ta), "tile_open a");
  check(cuda,
        cuda->tile_open(ctx, &p, s.points + 2 * half, s.velocity + (size_t)half * p.ntau, b, &tb),
        "tile_open b");
  for (int k = 0; k < s.ntraces && ta && tb; k += 128) {
    const int m = s.ntraces - k < 128 ? s.ntraces - k : 128;
    const float* tr = s.traces + (size_t)k * p.ns;
    check(cuda, cuda->tile_accumulate(ta, m, tr, s.geometry + 4 * k, s.classes + k), "acc a");
    check(cuda, cuda->tile_accumulate(tb, m, tr, s.geometry + 4 * k, s.classes + k), "acc b");
  }
  check(cuda, cuda->tile_finish(tb), "finish b");
  check(cuda, cuda->tile_finish(ta), "finish a");
  check(cuda, cuda->tile_finish(ta), "finish a twice");
  EXPECT(cuda->tile_accumulate(ta, 1, s.traces, s.geometry, s.classes) ==
             PSTM_ERR_INVALID_ARGUMENT,
         "accumulate after finish must fail");
  cuda->tile_destroy(ta); /* tb is left for context_destroy */
  cuda->context_destroy(ctx);

  /* whole is [nclass][npoints][ntau]; the halves are [nclass][half][ntau] */
  float* joined = malloc(sizeof(float) * n);
  for (int c = 0; c < p.nclass; ++c) {
    memcpy(joined + ((size_t)c * s.p.npoints) * p.ntau, a + (size_t)c * half * p.ntau,
           sizeof(float) * half * p.ntau);
    memcpy(joined + ((size_t)c * s.p.npoints + half) * p.ntau, b + (size_t)c * half * p.ntau,
           sizeof(float) * half * p.ntau);
  }
  compare("plain: two tiles vs one", joined, whole, n);
  free(joined);
  free(whole);
  free(a);
  free(b);
  free_survey(&s);
}

static void run_validation(const Lib* cuda) {
  Survey s = make_survey(0);
  pstm_context* ctx = NULL;
  pstm_tile* tile = NULL;
  if (!check(cuda, cuda->context_create(0, 0, &ctx), "context_create")) return;
  float* image = calloc((size_t)s.p.nclass * s.p.npoints * s.p.ntau, sizeof(float));
  pstm_params bad = s.p;
  bad.ns = 0;
  EXPECT(cuda->tile_open(ctx, &bad, s.points, s.velocity, image, &tile) ==
             PSTM_ERR_INVALID_ARGUMENT,
         "ns = 0 must be INVALID_ARGUMENT");
  EXPECT(strstr(cuda->last_error(), "ns") != NULL, "message must name ns: %s",
         cuda->last_error());
  bad = s.p;
  bad.dt = 0;
  EXPECT(cuda->tile_open(ctx, &bad, s.points, s.velocity, image, &tile) ==
             PSTM_ERR_INVALID_ARGUMENT,
         "dt = 0 must be INVALID_ARGUMENT");
  EXPECT(strstr(cuda->last_error(), "dt") != NULL, "message must name dt: %s",
         cuda->last_error());
  EXPECT(tile == NULL, "output must be untouched on failure");
  s.velocity[5] = -1.0f;
  EXPECT(cuda->tile_open(ctx, &s.p, s.points, s.velocity, image, &tile) ==
             PSTM_ERR_INVALID_ARGUMENT,
         "negative velocity must be INVALID_ARGUMENT");
  EXPECT(cuda->context_create(1 << 20, 0, &ctx) == PSTM_ERR_NO_DEVICE, "device 2^20");
  cuda->context_destroy(ctx);
  free(image);
  free_survey(&s);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s libpstm_cuda.so [libpstm_cpu.so]\n", argv[0]);
    return 2;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  const Lib cuda = load(argv[1]);

  /* checks that need no GPU */
  EXPECT(cuda.abi_version() == PSTM_ABI_VERSION, "ABI version %d", cuda.abi_version());
  EXPECT(strcmp(cuda.backend_name(), "cuda") == 0, "backend name %s", cuda.backend_name());
  int32_t count = -1;
  EXPECT(cuda.device_count(&count) == PSTM_OK, "device_count must be PSTM_OK: %s",
         cuda.last_error());
  EXPECT(count >= 0, "device count %d", count);
  const char* reason = cuda.last_error();
  char reason_copy[512];
  snprintf(reason_copy, sizeof reason_copy, "%s", reason);
  EXPECT(cuda.set_traveltime_table(NULL, 2, 1.f) == PSTM_ERR_UNSUPPORTED,
         "the traveltime table is CPU-only: PSTM_ERR_UNSUPPORTED");
  EXPECT(strcmp(cuda.context_target(NULL), "") == 0, "context_target(NULL)");
  EXPECT(cuda.device_count(NULL) == PSTM_ERR_INVALID_ARGUMENT, "device_count(NULL)");

  if (count <= 0) {
    pstm_context* ctx = NULL;
    EXPECT(cuda.context_create(0, 0, &ctx) == PSTM_ERR_NO_DEVICE && ctx == NULL,
           "context_create without a device must be NO_DEVICE");
    printf("libpstm_cuda: %s\n", cuda.last_error());
    if (failures) return 1;
    printf("SKIP: %s\n", reason_copy[0] ? reason_copy : "0 CUDA devices");
    return SKIP;
  }

  char name[256];
  uint64_t free_bytes = 0, total_bytes = 0;
  if (check(&cuda, cuda.device_info(0, name, sizeof name, &free_bytes, &total_bytes),
            "device_info")) {
    printf("device 0: %s, %.1f of %.1f GiB free\n", name, free_bytes / 1073741824.0,
           total_bytes / 1073741824.0);
    EXPECT(total_bytes > 0 && free_bytes <= total_bytes, "device memory");
  }
  if (argc < 3) {
    fprintf(stderr, "FAIL: a device is present but no libpstm_cpu.so was given\n");
    return 1;
  }
  const Lib cpu = load(argv[2]);
  EXPECT(strcmp(cpu.backend_name(), "cpu") == 0, "cpu backend name %s", cpu.backend_name());

  run_mode(&cuda, &cpu, 0);
  run_mode(&cuda, &cpu, 1);
  run_two_tiles(&cuda);
  run_validation(&cuda);

  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("cuda_driver: all checks passed\n");
  return 0;
}
