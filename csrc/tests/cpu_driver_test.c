/*
 * cpu_driver_test.c — drives libpstm_cpu through pstm.h alone (no Deno):
 * invalid arguments, edge cases (no traces, one sample, traces outside every
 * aperture, huge offsets, NaN and Inf samples, aperture 0), a diffractor that
 * must focus, the kernel on every SIMD target this CPU runs against the
 * benchmarks' baseline loop (libpstm_bench), and every feature switched on at
 * once (for the sanitiser build).
 */
#define _POSIX_C_SOURCE 200112L /* setenv */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pstm.h"
#include "pstm_bench.h"

static int failures = 0;

#define CHECK(cond, ...)                                            \
  do {                                                              \
    if (!(cond)) {                                                  \
      fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                 \
      fprintf(stderr, "\n");                                        \
      ++failures;                                                   \
    }                                                               \
  } while (0)

/* A small deterministic generator (xorshift32) for reproducible noise. */
static unsigned rng_state = 12345u;
static float noise(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return (float)((rng_state & 0xffffff) / 8388608.0 - 1.0);
}

static pstm_params plain_params(int ns, float dt, int npoints, int ntau, float dtau) {
  pstm_params p;
  memset(&p, 0, sizeof p);
  p.ns = ns;
  p.t0 = 0.f;
  p.dt = dt;
  p.npoints = npoints;
  p.ntau = ntau;
  p.tau0 = 0.f;
  p.dtau = dtau;
  p.nclass = 1;
  p.trace_spacing = 25.f;
  return p;
}

/* One open / accumulate / finish cycle on a fresh context; returns the status
 * of the first failing call and the contributions through *contributions. */
static pstm_status migrate(const pstm_params* p, const float* points, const float* velocity,
                           int ntraces, const float* traces, const float* geometry,
                           const int32_t* cls, float* image, double* contributions) {
  pstm_context* ctx = NULL;
  pstm_tile* tile = NULL;
  pstm_stats stats;
  pstm_status s = pstm_context_create(0, 2, &ctx);
  if (s != PSTM_OK) return s;
  s = pstm_tile_open(ctx, p, points, velocity, image, &tile);
  if (s == PSTM_OK) s = pstm_tile_accumulate(tile, ntraces, traces, geometry, cls);
  if (s == PSTM_OK) s = pstm_tile_finish(tile);
  if (s == PSTM_OK) s = pstm_context_stats(ctx, &stats);
  if (s == PSTM_OK && contributions) *contributions = stats.contributions;
  pstm_tile_destroy(tile);
  pstm_context_destroy(ctx);
  return s;
}

static int contains(const char* text, const char* word) { return strstr(text, word) != NULL; }

/* Each invalid field is refused with INVALID_ARGUMENT and a message naming it. */
static void test_invalid_params(void) {
  float points[2] = {0, 0}, velocity[4] = {2000, 2000, 2000, 2000}, image[4] = {0};
  struct {
    const char* field;
    pstm_params p;
  } cases[24];
  int n = 0;
  const pstm_params base = plain_params(8, 0.004f, 1, 4, 0.004f);
#define BAD(name, stmt) cases[n].field = name; cases[n].p = base; { pstm_params* q = &cases[n].p; stmt; } ++n
  BAD("ns", q->ns = 0);
  BAD("npoints", q->npoints = 0);
  BAD("ntau", q->ntau = -1);
  BAD("nclass", q->nclass = 0);
  BAD("dt", q->dt = 0);
  BAD("dtau", q->dtau = -0.004f);
  BAD("t0", q->t0 = NAN);
  BAD("tau0", q->tau0 = INFINITY);
  BAD("taper", q->taper = 1.5f);
  BAD("trace_spacing", (q->antialias = 1, q->trace_spacing = 0));
  BAD("antialias", q->antialias = 2);
  BAD("weights", q->weights = 7);
  BAD("eta", q->eta = -0.5f);
  BAD("reserved0", q->reserved0 = 2);
  BAD("reserved", q->reserved = 3);
  BAD("aperture", q->aperture = NAN);
  BAD("stretch_mute", q->stretch_mute = -0.25f);
#undef BAD
  for (int i = 0; i < n; ++i) {
    pstm_status s = migrate(&cases[i].p, points, velocity, 0, NULL, NULL, NULL, image, NULL);
    CHECK(s == PSTM_ERR_INVALID_ARGUMENT, "%s: status %d", cases[i].field, (int)s);
    CHECK(contains(pstm_last_error(), cases[i].field), "%s: message '%s'", cases[i].field,
          pstm_last_error());
  }
  /* bad buffers and handles */
  pstm_params p = base;
  pstm_context* ctx = NULL;
  pstm_tile* tile = NULL;
  CHECK(pstm_context_create(1, 0, &ctx) == PSTM_ERR_NO_DEVICE, "device 1");
  CHECK(pstm_context_create(0, -2, &ctx) == PSTM_ERR_INVALID_ARGUMENT, "threads -2");
  CHECK(ctx == NULL, "outputs untouched on failure");
  CHECK(pstm_context_create(0, 3, &ctx) == PSTM_OK, "create with 3 threads");
  CHECK(pstm_context_threads(ctx) == 3, "threads %d, created with 3", (int)pstm_context_threads(ctx));
  pstm_context_destroy(ctx);
  CHECK(pstm_context_threads(NULL) == 0, "NULL context");
  CHECK(pstm_context_create(0, 0, &ctx) == PSTM_OK, "create");
  CHECK(pstm_context_threads(ctx) >= 1, "0 threads: all cores, got %d", (int)pstm_context_threads(ctx));
  CHECK(pstm_tile_open(ctx, &p, NULL, velocity, image, &tile) == PSTM_ERR_INVALID_ARGUMENT,
        "NULL points");
  CHECK(contains(pstm_last_error(), "points"), "message '%s'", pstm_last_error());
  velocity[2] = -1;
  CHECK(pstm_tile_open(ctx, &p, points, velocity, image, &tile) == PSTM_ERR_INVALID_ARGUMENT,
        "negative velocity");
  CHECK(contains(pstm_last_error(), "velocity[2]"), "message '%s'", pstm_last_error());
  CHECK(tile == NULL, "tile untouched on failure");
  velocity[2] = 2000;
  CHECK(pstm_tile_open(ctx, &p, points, velocity, image, &tile) == PSTM_OK, "open");
  float trace[8] = {0}, geometry[4] = {0, 0, INFINITY, 0};
  int32_t cls = 0;
  CHECK(pstm_tile_accumulate(tile, -1, trace, geometry, &cls) == PSTM_ERR_INVALID_ARGUMENT,
        "ntraces -1");
  CHECK(contains(pstm_last_error(), "ntraces"), "message '%s'", pstm_last_error());
  CHECK(pstm_tile_accumulate(tile, 1, NULL, geometry, &cls) == PSTM_ERR_INVALID_ARGUMENT,
        "NULL traces");
  CHECK(pstm_tile_accumulate(tile, 1, trace, geometry, &cls) == PSTM_ERR_INVALID_ARGUMENT,
        "infinite gx");
  CHECK(contains(pstm_last_error(), "gx"), "message '%s'", pstm_last_error());
  CHECK(pstm_tile_accumulate(NULL, 0, NULL, NULL, NULL) == PSTM_ERR_INVALID_ARGUMENT, "NULL tile");
  CHECK(pstm_bench_baseline_loop(NULL, 0, points, velocity, 0, NULL, NULL, NULL, image) ==
            PSTM_ERR_INVALID_ARGUMENT, "baseline loop NULL params");
  /* the context destroys the tile still open on it */
  pstm_context_destroy(ctx);
}

/* No traces, one sample, aperture 0 = unlimited. */
static void test_small_cases(void) {
  float points[2] = {0, 0}, velocity[1] = {1000}, image[1] = {0};
  double contributions = -1;
  pstm_params p = plain_params(1, 0.004f, 1, 1, 0.004f);
  CHECK(migrate(&p, points, velocity, 0, NULL, NULL, NULL, image, &contributions) == PSTM_OK,
        "zero traces: %s", pstm_last_error());
  CHECK(image[0] == 0 && contributions == 0, "zero traces: %g, %g", image[0], contributions);

  /* one sample at t = 0 read by tau = 0 at zero offset */
  float trace[1] = {3.5f}, geometry[4] = {0, 0, 0, 0};
  int32_t cls = 0;
  CHECK(migrate(&p, points, velocity, 1, trace, geometry, &cls, image, &contributions) == PSTM_OK,
        "one sample: %s", pstm_last_error());
  CHECK(image[0] == 3.5f && contributions == 1, "one sample: %g, %g", image[0], contributions);

  /* traces outside 0..nclass-1 are skipped */
  image[0] = 0;
  cls = 1;
  CHECK(migrate(&p, points, velocity, 1, trace, geometry, &cls, image, &contributions) == PSTM_OK,
        "class 1: %s", pstm_last_error());
  CHECK(image[0] == 0 && contributions == 0, "class 1 skipped: %g", image[0]);
}

/* Random traces and a rising velocity on a small grid. */
typedef struct {
  pstm_params p;
  int ntraces;
  float *points, *velocity, *traces, *geometry;
  int32_t* cls;
} Survey;

static Survey make_survey(int nx, int ntraces, float offset_scale) {
  Survey s;
  s.p = plain_params(200, 0.004f, nx * nx, 150, 0.004f);
  s.ntraces = ntraces;
  s.points = malloc(sizeof(float) * 2 * s.p.npoints);
  s.velocity = malloc(sizeof(float) * s.p.npoints * s.p.ntau);
  s.traces = malloc(sizeof(float) * (ntraces ? ntraces : 1) * s.p.ns);
  s.geometry = malloc(sizeof(float) * 4 * (ntraces ? ntraces : 1));
  s.cls = malloc(sizeof(int32_t) * (ntraces ? ntraces : 1));
  for (int j = 0; j < s.p.npoints; ++j) {
    s.points[2 * j] = 25.f * (j % nx) + 3.f;
    s.points[2 * j + 1] = 25.f * (j / nx) + 7.f;
    for (int it = 0; it < s.p.ntau; ++it) s.velocity[j * s.p.ntau + it] = 1800.f + 4.f * it;
  }
  for (int k = 0; k < ntraces; ++k) {
    const float mx = 25.f * nx * (0.5f + 0.5f * noise()), my = 25.f * nx * (0.5f + 0.5f * noise());
    const float hx = offset_scale * noise(), hy = offset_scale * noise();
    s.geometry[4 * k] = mx - hx;
    s.geometry[4 * k + 1] = my - hy;
    s.geometry[4 * k + 2] = mx + hx;
    s.geometry[4 * k + 3] = my + hy;
    s.cls[k] = 0;
    for (int i = 0; i < s.p.ns; ++i) s.traces[k * s.p.ns + i] = noise();
  }
  return s;
}

static void free_survey(Survey* s) {
  free(s->points), free(s->velocity), free(s->traces), free(s->geometry), free(s->cls);
}

static double rel_l2(const float* a, const float* b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    num += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    den += (double)b[i] * b[i];
  }
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

/* The kernel agrees with the baseline loop in plain mode on every SIMD
 * target this CPU runs (PSTM_SIMD picks one per context), with aperture 0
 * and with a negative aperture (both unlimited); a target the CPU lacks is
 * PSTM_ERR_UNSUPPORTED. */
static void test_against_baseline_loop(void) {
  static const char* const targets[] = {"avx3", "avx2", "sse4", "neon", "emu128", "portable"};
  Survey s = make_survey(12, 60, 300.f);
  const size_t n = (size_t)s.p.npoints * s.p.ntau;
  float* slow = calloc(n, sizeof(float));
  CHECK(pstm_bench_baseline_loop(&s.p, 2, s.points, s.velocity, s.ntraces, s.traces, s.geometry,
                                 s.cls, slow) == PSTM_OK, "baseline loop");
  int ran = 0;
  for (size_t k = 0; k < sizeof targets / sizeof targets[0]; ++k) {
    setenv("PSTM_SIMD", targets[k], 1);
    pstm_context* ctx = NULL;
    const pstm_status status = pstm_context_create(0, 2, &ctx);
    if (status == PSTM_ERR_UNSUPPORTED) {
      CHECK(ctx == NULL && contains(pstm_last_error(), targets[k]), "message '%s'",
            pstm_last_error());
      continue;
    }
    CHECK(status == PSTM_OK, "%s: %s", targets[k], pstm_last_error());
    if (status != PSTM_OK) continue;
    CHECK(strcmp(pstm_context_target(ctx), targets[k]) == 0, "target %s", pstm_context_target(ctx));
    pstm_context_destroy(ctx);
    float* fast = calloc(n, sizeof(float));
    float* negative = calloc(n, sizeof(float));
    double contributions = 0;
    CHECK(migrate(&s.p, s.points, s.velocity, s.ntraces, s.traces, s.geometry, s.cls, fast,
                  &contributions) == PSTM_OK, "%s", pstm_last_error());
    const double err = rel_l2(fast, slow, n);
    CHECK(err < 1e-5, "%s: relative L2 to the baseline loop %g", targets[k], err);
    CHECK(contributions > 0.5 * s.ntraces * n, "contributions %g", contributions);
    s.p.aperture = -1;
    CHECK(migrate(&s.p, s.points, s.velocity, s.ntraces, s.traces, s.geometry, s.cls, negative,
                  NULL) == PSTM_OK, "%s", pstm_last_error());
    s.p.aperture = 0;
    CHECK(memcmp(fast, negative, n * sizeof(float)) == 0, "%s: aperture 0 and -1 differ",
          targets[k]);
    printf("%-8s vs baseline loop: relative L2 %.2e, %.0f contributions\n", targets[k], err,
           contributions);
    free(fast), free(negative);
    ++ran;
  }
  unsetenv("PSTM_SIMD");
  CHECK(ran >= 1, "no target ran");
  setenv("PSTM_SIMD", "no-such-target", 1);
  pstm_context* ctx = NULL;
  CHECK(pstm_context_create(0, 2, &ctx) == PSTM_ERR_UNSUPPORTED && ctx == NULL,
        "an unknown PSTM_SIMD is PSTM_ERR_UNSUPPORTED");
  unsetenv("PSTM_SIMD");
  free(slow);
  free_survey(&s);
}

/* Traces far from every output point (radius aperture) and huge offsets
 * (times past the end of the trace) contribute nothing. */
static void test_nothing_reaches(void) {
  Survey s = make_survey(6, 20, 100.f);
  const size_t n = (size_t)s.p.npoints * s.p.ntau;
  float* image = calloc(n, sizeof(float));
  double contributions = -1;
  for (int k = 0; k < s.ntraces; ++k) s.geometry[4 * k] += 1e4f, s.geometry[4 * k + 2] += 1e4f;
  s.p.aperture = 500.f;
  CHECK(migrate(&s.p, s.points, s.velocity, s.ntraces, s.traces, s.geometry, s.cls, image,
                &contributions) == PSTM_OK, "%s", pstm_last_error());
  CHECK(contributions == 0, "outside the aperture: %g contributions", contributions);
  s.p.aperture = 0;
  for (int k = 0; k < s.ntraces; ++k) {
    s.geometry[4 * k] = -3e7f, s.geometry[4 * k + 2] = 3e18f;
  }
  CHECK(migrate(&s.p, s.points, s.velocity, s.ntraces, s.traces, s.geometry, s.cls, image,
                &contributions) == PSTM_OK, "%s", pstm_last_error());
  CHECK(contributions == 0, "huge offsets: %g contributions", contributions);
  int zero = 1;
  for (size_t i = 0; i < n; ++i) zero &= image[i] == 0.f;
  CHECK(zero, "image not zero");
  free(image);
  free_survey(&s);
}

/* NaN and Inf samples reach only the samples they contribute to; columns
 * out of the aperture stay zero. Checked in plain and antialiased mode. */
static void test_nonfinite_samples(void) {
  for (int aa = 0; aa <= 1; ++aa) {
    Survey s = make_survey(8, 4, 50.f);
    const size_t n = (size_t)s.p.npoints * s.p.ntau;
    float* image = calloc(n, sizeof(float));
    for (int k = 0; k < s.ntraces; ++k) {
      s.geometry[4 * k] = s.geometry[4 * k + 2] = 10.f;
      s.geometry[4 * k + 1] = s.geometry[4 * k + 3] = 10.f;
      s.traces[k * s.p.ns + 100] = k % 2 ? NAN : INFINITY;
    }
    s.p.aperture = 60.f;
    s.p.antialias = aa;
    s.p.max_angle = aa ? 70.f : 0.f;
    CHECK(migrate(&s.p, s.points, s.velocity, s.ntraces, s.traces, s.geometry, s.cls, image,
                  NULL) == PSTM_OK, "%s", pstm_last_error());
    int nonfinite = 0, far_nonzero = 0;
    for (int j = 0; j < s.p.npoints; ++j) {
      const float dx = s.points[2 * j] - 10.f, dy = s.points[2 * j + 1] - 10.f;
      for (int it = 0; it < s.p.ntau; ++it) {
        const float v = image[j * s.p.ntau + it];
        nonfinite += !isfinite(v);
        if (dx * dx + dy * dy > 60.f * 60.f) far_nonzero += v != 0.f;
      }
    }
    CHECK(nonfinite > 0 && nonfinite < (int)n / 4, "aa %d: %d non-finite samples", aa, nonfinite);
    CHECK(far_nonzero == 0, "aa %d: %d samples beyond the aperture changed", aa, far_nonzero);
    free(image);
    free_survey(&s);
  }
}

/* A point diffractor: traces hold a spike at the DSR time of the diffractor;
 * the migrated image peaks at the diffractor's column and time. */
static void test_diffractor_focuses(void) {
  const int nx = 21, ntraces = 400;
  pstm_params p = plain_params(300, 0.004f, nx * nx, 250, 0.004f);
  p.aperture = 800.f;
  p.max_angle = 65.f;
  p.taper = 0.2f;
  p.weights = PSTM_WEIGHTS_SPREADING;
  const float v = 2000.f, x0 = 250.f, y0 = 250.f, tau_d = 0.6f;
  float* points = malloc(sizeof(float) * 2 * p.npoints);
  float* velocity = malloc(sizeof(float) * p.npoints * p.ntau);
  float* traces = calloc((size_t)ntraces * p.ns, sizeof(float));
  float* geometry = malloc(sizeof(float) * 4 * ntraces);
  int32_t* cls = calloc(ntraces, sizeof(int32_t));
  float* image = calloc((size_t)p.npoints * p.ntau, sizeof(float));
  for (int j = 0; j < p.npoints; ++j) {
    points[2 * j] = 25.f * (j % nx), points[2 * j + 1] = 25.f * (j / nx);
    for (int it = 0; it < p.ntau; ++it) velocity[j * p.ntau + it] = v;
  }
  for (int k = 0; k < ntraces; ++k) {
    const float mx = 500.f * (k % 20) / 19.f, my = 500.f * (k / 20) / 19.f, hx = 100.f * noise();
    const float sx = mx - hx, gx = mx + hx;
    geometry[4 * k] = sx, geometry[4 * k + 1] = my, geometry[4 * k + 2] = gx,
    geometry[4 * k + 3] = my;
    const double h = tau_d / 2;
    const double t = sqrt(h * h + ((x0 - sx) * (x0 - sx) + (y0 - my) * (y0 - my)) / (v * v)) +
                     sqrt(h * h + ((x0 - gx) * (x0 - gx) + (y0 - my) * (y0 - my)) / (v * v));
    const int i = (int)lround(t / p.dt);
    if (i > 0 && i + 1 < p.ns) {
      traces[k * p.ns + i - 1] = -0.5f, traces[k * p.ns + i] = 1.f,
      traces[k * p.ns + i + 1] = -0.5f;
    }
  }
  CHECK(migrate(&p, points, velocity, ntraces, traces, geometry, cls, image, NULL) == PSTM_OK,
        "%s", pstm_last_error());
  size_t best = 0;
  for (size_t i = 1; i < (size_t)p.npoints * p.ntau; ++i) {
    if (image[i] > image[best]) best = i;
  }
  const int j = (int)(best / p.ntau), it = (int)(best % p.ntau);
  const float bx = points[2 * j], by = points[2 * j + 1], btau = p.tau0 + it * p.dtau;
  printf("diffractor at (%g, %g, %g s) focuses at (%g, %g, %g s), peak %g\n", x0, y0, tau_d, bx,
         by, btau, image[best]);
  CHECK(fabsf(bx - x0) <= 25.f && fabsf(by - y0) <= 25.f && fabsf(btau - tau_d) <= 0.0081f,
        "peak at (%g, %g, %g)", bx, by, btau);
  free(points), free(velocity), free(traces), free(geometry), free(cls), free(image);
}

/* Every feature at once, several classes and batches, two tiles on one
 * context: runs clean under the sanitisers and stays finite. */
static void test_full_mode(void) {
  Survey s = make_survey(10, 80, 600.f);
  s.p.nclass = 3;
  s.p.aperture = 400.f;
  s.p.max_angle = 55.f;
  s.p.taper = 0.3f;
  s.p.antialias = 1;
  s.p.trace_spacing = 12.5f;
  s.p.weights = PSTM_WEIGHTS_OBLIQUITY;
  s.p.eta = 0.1f;
  s.p.tau0 = 0.1f;
  s.p.t0 = -0.02f;
  for (int k = 0; k < s.ntraces; ++k) s.cls[k] = (k % 5) - 1; /* -1 and 3 are skipped */
  const size_t n = (size_t)s.p.nclass * s.p.npoints * s.p.ntau;
  float* a = calloc(n, sizeof(float));
  float* b = calloc(n, sizeof(float));
  pstm_context* ctx = NULL;
  pstm_tile *ta = NULL, *tb = NULL;
  CHECK(pstm_context_create(0, 0, &ctx) == PSTM_OK, "create");
  CHECK(pstm_tile_open(ctx, &s.p, s.points, s.velocity, a, &ta) == PSTM_OK, "%s",
        pstm_last_error());
  CHECK(pstm_tile_open(ctx, &s.p, s.points, s.velocity, b, &tb) == PSTM_OK, "%s",
        pstm_last_error());
  CHECK(pstm_tile_accumulate(ta, s.ntraces, s.traces, s.geometry, s.cls) == PSTM_OK, "%s",
        pstm_last_error());
  const int half = s.ntraces / 2;
  CHECK(pstm_tile_accumulate(tb, half, s.traces, s.geometry, s.cls) == PSTM_OK, "batch 1");
  CHECK(pstm_tile_accumulate(tb, s.ntraces - half, s.traces + (size_t)half * s.p.ns,
                             s.geometry + 4 * half, s.cls + half) == PSTM_OK, "batch 2");
  CHECK(pstm_tile_finish(ta) == PSTM_OK && pstm_tile_finish(tb) == PSTM_OK, "finish");
  const double err = rel_l2(b, a, n);
  CHECK(err < 1e-6, "two batches vs one: %g", err);
  int finite = 1, nonzero = 0;
  for (size_t i = 0; i < n; ++i) finite &= isfinite(a[i]) != 0, nonzero += a[i] != 0;
  CHECK(finite && nonzero > 0, "full mode: finite %d, nonzero %d", finite, nonzero);
  pstm_tile_destroy(ta);
  pstm_context_destroy(ctx); /* destroys tb */
  free(a), free(b);
  free_survey(&s);
}

int main(void) {
  test_invalid_params();
  test_small_cases();
  test_against_baseline_loop();
  test_nothing_reaches();
  test_nonfinite_samples();
  test_diffractor_focuses();
  test_full_mode();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("all CPU driver checks passed\n");
  return 0;
}
