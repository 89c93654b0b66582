/*
 * bitscan: exact-reranked search over 1-bit codes, for tenants too large for an exact float scan.
 *
 * Every vector is stored twice: its float32 values (for the exact re-rank) and one sign bit per
 * dimension (the code). A search quantizes the query to 4 bits per dimension, scores every code with
 * AND + POPCNT (an unbiased estimate of the inner product: for unit vectors with cosine c the score's
 * mean is ~0.8c, its spread that of a float scan), keeps the best `candidates` codes, then re-ranks them
 * with exact float inner products. A true match at cos 0.4 among a million near-orthogonal strangers
 * ranks in the top few dozen codes, so a shortlist of hundreds loses none, while the scan reads 64 bytes a
 * face instead of 2 KB (memory bandwidth is what a scan costs).
 *
 * AVX-512 VPOPCNTDQ path where the CPU has it (checked at run time), scalar POPCNT elsewhere.
 * Plain C over Node-API: no V8 ABI, so one build serves every Node version and worker thread.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/*
 * memset that the compiler keeps: a plain memset right before free() is a dead store it may remove,
 * leaving query-derived bytes in freed heap memory.
 */
static void secure_zero(void *p, size_t n) {
  static void *(*const volatile memset_v)(void *, int, size_t) = memset;
  memset_v(p, 0, n);
}

#define MAX_THREADS 16
#define MIN_PER_THREAD 32768

typedef struct {
  int32_t score;
  int32_t label;
} cand_t;

typedef struct hit {
  float sim;
  int32_t label;
} hit_t;

/* What every part of one search shares. */
typedef struct {
  const uint8_t *codes;
  const uint8_t *dead;
  int words; /* 64-bit words per code */
  const uint64_t *planes; /* 4 planes x words */
  int cap; /* each part's shortlist size */
  /* The re-rank: float segments (label L at seg[L >> shift] + (L & mask) * dims), query, threshold. */
  float *const *seg;
  int64_t shift, mask, dims;
  const float *query;
  float min_sim;
} search_t;

/* One range of labels, scanned and re-ranked by one thread. */
typedef struct {
  const search_t *s;
  int64_t lo, hi;
  cand_t *buf; /* 2 * cap */
  int count;
  struct hit *hits; /* cap */
  int nh;
} part_t;

/* Set once per process at load (or by useKernel), read by every search thread. */
static atomic_int use_avx512 = 0;

static int cpu_has_avx512(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
#else
  return 0;
#endif
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Keeps the `keep` best (highest score) entries of a[0..n) in a[0..keep): quickselect. */
static void select_top(cand_t *a, int n, int keep) {
  if (keep >= n || keep <= 0) return;
  int lo = 0, hi = n - 1, k = keep - 1;
  while (lo < hi) {
    int32_t pivot = a[lo + (hi - lo) / 2].score;
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i].score > pivot) i++;
      while (a[j].score < pivot) j--;
      if (i <= j) {
        cand_t t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
}

/* Adds a scored code to the shortlist; compacts to the best `cap` when the buffer is full. */
static inline void offer(part_t *p, int32_t score, int32_t label, int32_t *threshold) {
  if (score <= *threshold) return;
  if (p->s->dead[label]) return;
  const int cap = p->s->cap;
  p->buf[p->count].score = score;
  p->buf[p->count].label = label;
  if (++p->count == 2 * cap) {
    select_top(p->buf, p->count, cap);
    int32_t t = p->buf[0].score;
    for (int i = 1; i < cap; i++)
      if (p->buf[i].score < t) t = p->buf[i].score;
    *threshold = t;
    /* Entries equal to the threshold may stay; later ones must beat it. */
    p->count = cap;
  }
}

/*
 * Codes are stored in blocks of 8 labels, word-interleaved: word j of label L is the 64-bit word at
 * ((L >> 3) * words + j) * 8 + (L & 7). One 512-bit load then holds word j of 8 labels, so the scan
 * keeps a running score per label in a vector lane and never reduces horizontally.
 */
static inline int64_t word_index(int64_t label, int words, int j) {
  return ((label >> 3) * words + j) * 8 + (label & 7);
}

#if defined(__x86_64__)
__attribute__((target("popcnt")))
#endif
static void scan_scalar(part_t *p) {
  int32_t threshold = INT32_MIN;
  const int w = p->s->words;
  const uint64_t *q = p->s->planes;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int s = 0, pb = 0;
    for (int j = 0; j < w; j++) {
      uint64_t b = load64(p->s->codes + word_index(i, w, j) * 8);
      pb += __builtin_popcountll(b);
      s += __builtin_popcountll(b & q[j]) + 2 * __builtin_popcountll(b & q[w + j]) + 4 * __builtin_popcountll(b & q[2 * w + j]) +
           8 * __builtin_popcountll(b & q[3 * w + j]);
    }
    offer(p, 2 * s - 15 * pb, (int32_t)i, &threshold);
  }
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512vpopcntdq")))
static void scan_avx512(part_t *p) {
  int32_t threshold = INT32_MIN;
  const int w = p->s->words;
  /* Broadcast query words, 4 planes x words (2 KB at 512 dims: stays in L1). */
  __m512i qb[4 * 64];
  for (int i = 0; i < 4 * w; i++) qb[i] = _mm512_set1_epi64((long long)p->s->planes[i]);
  /* lo and hi are multiples of 8 except hi at the end (tail lanes are skipped below). */
  for (int64_t block = p->lo >> 3; block * 8 < p->hi; block++) {
    const uint8_t *c = p->s->codes + block * (int64_t)w * 64;
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, pb = a0;
    for (int j = 0; j < w; j++) {
      __m512i b = _mm512_loadu_si512((const void *)(c + j * 64));
      a0 = _mm512_add_epi64(a0, _mm512_popcnt_epi64(_mm512_and_si512(b, qb[j])));
      a1 = _mm512_add_epi64(a1, _mm512_popcnt_epi64(_mm512_and_si512(b, qb[w + j])));
      a2 = _mm512_add_epi64(a2, _mm512_popcnt_epi64(_mm512_and_si512(b, qb[2 * w + j])));
      a3 = _mm512_add_epi64(a3, _mm512_popcnt_epi64(_mm512_and_si512(b, qb[3 * w + j])));
      pb = _mm512_add_epi64(pb, _mm512_popcnt_epi64(b));
    }
    /* 2 * (a0 + 2 a1 + 4 a2 + 8 a3) - 15 |b| */
    __m512i s = _mm512_add_epi64(_mm512_add_epi64(a0, _mm512_slli_epi64(a1, 1)), _mm512_add_epi64(_mm512_slli_epi64(a2, 2), _mm512_slli_epi64(a3, 3)));
    s = _mm512_sub_epi64(_mm512_slli_epi64(s, 1), _mm512_sub_epi64(_mm512_slli_epi64(pb, 4), pb));
    __mmask8 m = _mm512_cmpgt_epi64_mask(s, _mm512_set1_epi64(threshold));
    if (!m) continue;
    int64_t lanes[8];
    _mm512_storeu_si512((void *)lanes, s);
    for (int l = 0; l < 8; l++) {
      int64_t label = block * 8 + l;
      if (((m >> l) & 1) && label >= p->lo && label < p->hi) offer(p, (int32_t)lanes[l], (int32_t)label, &threshold);
    }
  }
}
#endif


static float dot(const float *a, const float *b, int n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
    s4 += a[i + 4] * b[i + 4];
    s5 += a[i + 5] * b[i + 5];
    s6 += a[i + 6] * b[i + 6];
    s7 += a[i + 7] * b[i + 7];
  }
  for (; i < n; i++) s0 += a[i] * b[i];
  return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

/* Label L's float vector (search() has checked that every label below count lies inside its segment). */
static inline const float *vector_at(const search_t *s, int32_t label) { return s->seg[label >> s->shift] + (label & s->mask) * s->dims; }

static inline void prefetch_vector(const search_t *s, int32_t label) {
  const char *p = (const char *)vector_at(s, label);
  for (int64_t off = 0; off < s->dims * 4; off += 64) __builtin_prefetch(p + off, 0, 0);
}

static int by_sim_desc(const void *x, const void *y) {
  float a = ((const hit_t *)x)->sim, b = ((const hit_t *)y)->sim;
  if (a != b) return a < b ? 1 : -1;
  return ((const hit_t *)x)->label - ((const hit_t *)y)->label;
}

/* Scans one range of labels, then re-ranks its shortlist exactly: both halves of a search run in parallel. */
static void *scan_part(void *arg) {
  part_t *p = (part_t *)arg;
  const search_t *s = p->s;
#if defined(__x86_64__)
  if (atomic_load_explicit(&use_avx512, memory_order_relaxed) && s->words <= 64) scan_avx512(p);
  else scan_scalar(p);
#else
  scan_scalar(p);
#endif
  select_top(p->buf, p->count, s->cap);
  if (p->count > s->cap) p->count = s->cap;
  const int total = p->count;
  /* Candidates are scattered 2 KB reads: fetch a few ahead so their cache misses overlap. */
  const int ahead = 6;
  for (int i = 0; i < total && i < ahead; i++) prefetch_vector(s, p->buf[i].label);
  for (int i = 0; i < total; i++) {
    if (i + ahead < total) prefetch_vector(s, p->buf[i + ahead].label);
    int32_t label = p->buf[i].label;
    float sim = dot(s->query, vector_at(s, label), (int)s->dims);
    if (sim >= s->min_sim) p->hits[p->nh++] = (hit_t){sim, label};
  }
  return NULL;
}

/*
 * One persistent helper thread for two-thread searches. Creating a thread per search cost ~0.5 ms at
 * p50 when searches arrive through a worker thread (waking an idle vCPU for a new thread); the helper
 * instead spins ~200 µs after each job (searches in a burst find it awake), then sleeps on a condition
 * variable. One search at a time uses it; a concurrent search (another worker thread) creates a thread.
 */
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  part_t *job;
  atomic_int state; /* 0 idle, 1 job posted, 2 job done */
  int running;
} helper = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0};
static pthread_mutex_t helper_owner = PTHREAD_MUTEX_INITIALIZER;

static inline void cpu_relax(void) {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#endif
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void *helper_main(void *arg) {
  (void)arg;
  for (;;) {
    double until = now_us() + 200;
    int spins = 0;
    while (atomic_load_explicit(&helper.state, memory_order_acquire) != 1) {
      if ((++spins & 63) == 0 && now_us() > until) {
        pthread_mutex_lock(&helper.mu);
        while (atomic_load_explicit(&helper.state, memory_order_acquire) != 1) pthread_cond_wait(&helper.cv, &helper.mu);
        pthread_mutex_unlock(&helper.mu);
        break;
      }
      cpu_relax();
    }
    scan_part(helper.job);
    atomic_store_explicit(&helper.state, 2, memory_order_release);
  }
  return NULL;
}

/* Runs parts[1] on the helper if it is free (returns 1), else returns 0 and the caller creates a thread. */
static int helper_post(part_t *job) {
  if (pthread_mutex_trylock(&helper_owner) != 0) return 0;
  if (!helper.running) {
    pthread_t tid;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    helper.running = pthread_create(&tid, &attr, helper_main, NULL) == 0;
    pthread_attr_destroy(&attr);
    if (!helper.running) {
      pthread_mutex_unlock(&helper_owner);
      return 0;
    }
  }
  pthread_mutex_lock(&helper.mu);
  helper.job = job;
  atomic_store_explicit(&helper.state, 1, memory_order_release);
  pthread_cond_signal(&helper.cv);
  pthread_mutex_unlock(&helper.mu);
  return 1;
}

static void helper_wait(void) {
  while (atomic_load_explicit(&helper.state, memory_order_acquire) != 2) cpu_relax();
  atomic_store_explicit(&helper.state, 0, memory_order_relaxed);
  helper.job = NULL;
  pthread_mutex_unlock(&helper_owner);
}

/* ---- Node-API glue ---------------------------------------------------------------------------- */

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, "BITSCAN", "bitscan: " #call " failed"); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)
#define FAIL(msg)                                  \
  do {                                             \
    napi_throw_type_error(env, "BITSCAN", (msg)); \
    return NULL;                                   \
  } while (0)

static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, length, data, &ab, &off) != napi_ok) return 0;
  return type == want;
}

static int int_arg(napi_env env, napi_value v, int64_t *out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

/*
 * encode(vectors: Float32Array, dims, codes: Uint8Array, firstLabel): sign bits of each vector (bit d of
 * word d/64 = v[d] > 0) written as labels firstLabel, firstLabel+1, ... in the blocked layout.
 */
static napi_value encode(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) FAIL("encode(vectors, dims, codes, firstLabel)");
  int64_t first;
  float *v;
  uint8_t *codes;
  size_t vn, cn;
  int64_t dims;
  if (!typed(env, argv[0], napi_float32_array, (void **)&v, &vn)) FAIL("vectors must be a Float32Array");
  if (!int_arg(env, argv[1], &dims) || dims <= 0 || dims % 64 != 0 || dims > 65536) FAIL("dims must be a positive multiple of 64");
  if (!typed(env, argv[2], napi_uint8_array, (void **)&codes, &cn)) FAIL("codes must be a Uint8Array");
  const int words = (int)(dims / 64);
  int64_t n = (int64_t)(vn / (size_t)dims);
  /* Labels are int32 (search returns them so): bounding them keeps the size arithmetic far from overflow. */
  if (!int_arg(env, argv[3], &first) || first < 0 || first > INT32_MAX - n) FAIL("firstLabel");
  /* Whole blocks of 8 must fit: codes hold a multiple of 8 labels. */
  if (vn % (size_t)dims != 0 || first + n > (int64_t)(cn / ((size_t)words * 64)) * 8) FAIL("codes too short for the vectors");
  for (int64_t i = 0; i < n; i++) {
    const float *x = v + i * dims;
    for (int j = 0; j < words; j++) {
      uint64_t word = 0;
      for (int d = 0; d < 64; d++) word |= (uint64_t)(x[j * 64 + d] > 0.0f) << d;
      memcpy(codes + word_index(first + i, words, j) * 8, &word, 8);
    }
  }
  return NULL;
}

/*
 * search(codes: Uint8Array, count, dead: Uint8Array, segments: Float32Array[], segmentShift, dims,
 *        query: Float32Array, candidates, k, minSimilarity, threads, outLabels: Int32Array, outSims: Float32Array)
 *   → number of hits written, best first. Label L's floats are segments[L >> shift] at (L & mask) * dims.
 */
static napi_value search(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 13) FAIL("search expects 13 arguments");
  /* Everything allocated is freed (and what describes the query wiped) at `done`; `bad` names a refusal. */
  const char *bad = NULL;
  float **seg = NULL;
  size_t *seg_len = NULL;
  uint64_t *planes = NULL;
  cand_t *bufs = NULL;
  hit_t *hits = NULL;
  size_t planes_size = 0, bufs_size = 0, hits_size = 0;
  int n = 0;
  /*
   * Segments first: reading an array element may run JS (a getter), which must not detach a buffer
   * whose pointer this call already holds. Validated up front so the scan never reads outside them.
   */
  bool is_array = false;
  uint32_t nseg = 0;
  if (napi_is_array(env, argv[3], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[3], &nseg) != napi_ok) {
    bad = "segments must be an array";
    goto done;
  }
  seg = (float **)malloc(sizeof(float *) * (nseg ? nseg : 1));
  seg_len = (size_t *)malloc(sizeof(size_t) * (nseg ? nseg : 1));
  if (!seg || !seg_len) {
    bad = "out of memory";
    goto done;
  }
  for (uint32_t i = 0; i < nseg; i++) {
    napi_value el;
    if (napi_get_element(env, argv[3], i, &el) != napi_ok || !typed(env, el, napi_float32_array, (void **)&seg[i], &seg_len[i])) {
      bad = "segments must hold Float32Arrays";
      goto done;
    }
  }
#define REFUSE(cond, msg) \
  if (cond) {             \
    bad = (msg);          \
    goto done;            \
  }
  uint8_t *codes, *dead;
  float *query, *out_sims;
  int32_t *out_labels;
  size_t codes_len, dead_len, q_len, ol_len, os_len;
  int64_t count, shift, dims, cap, k, threads;
  double min_sim;
  REFUSE(!typed(env, argv[0], napi_uint8_array, (void **)&codes, &codes_len), "codes must be a Uint8Array");
  REFUSE(!int_arg(env, argv[1], &count) || count < 0 || count > INT32_MAX, "count");
  REFUSE(!typed(env, argv[2], napi_uint8_array, (void **)&dead, &dead_len), "dead must be a Uint8Array");
  REFUSE(!int_arg(env, argv[4], &shift) || shift < 0 || shift > 30, "segmentShift");
  REFUSE(!int_arg(env, argv[5], &dims) || dims <= 0 || dims % 64 != 0 || dims > 65536, "dims must be a positive multiple of 64");
  REFUSE(!typed(env, argv[6], napi_float32_array, (void **)&query, &q_len) || q_len != (size_t)dims, "query must be a Float32Array of dims");
  REFUSE(!int_arg(env, argv[7], &cap) || cap <= 0 || cap > 1000000, "candidates");
  REFUSE(!int_arg(env, argv[8], &k) || k <= 0 || k > 500000, "k");
  REFUSE(napi_get_value_double(env, argv[9], &min_sim) != napi_ok, "minSimilarity");
  REFUSE(!int_arg(env, argv[10], &threads) || threads < 1, "threads");
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  REFUSE(!typed(env, argv[11], napi_int32_array, (void **)&out_labels, &ol_len) || ol_len < (size_t)k, "outLabels too short");
  REFUSE(!typed(env, argv[12], napi_float32_array, (void **)&out_sims, &os_len) || os_len < (size_t)k, "outSims too short");
  const int64_t per_seg = (int64_t)1 << shift;
  REFUSE((int64_t)nseg * per_seg < count, "segments do not cover count");
  /* Every label below count must lie inside its segment: checked here once, not per candidate. */
  for (int64_t i = 0; i * per_seg < count; i++) {
    const int64_t labels = count - i * per_seg < per_seg ? count - i * per_seg : per_seg;
    REFUSE((int64_t)seg_len[i] < labels * dims, "segments do not cover count");
  }
  const int64_t code_bytes = dims / 8;
  REFUSE((int64_t)codes_len < ((count + 7) >> 3) * code_bytes * 8 || (int64_t)dead_len < count, "codes or dead shorter than count");
  if (count == 0) goto done;

  /* Query → 4 bit planes of levels 0..15 (symmetric around 0, scaled by the largest |q|). */
  const int words = (int)(dims / 64);
  planes_size = sizeof(uint64_t) * (size_t)words * 4;
  planes = (uint64_t *)calloc(1, planes_size);
  REFUSE(!planes, "out of memory");
  float mx = 0;
  for (int64_t d = 0; d < dims; d++) mx = fmaxf(mx, fabsf(query[d]));
  if (mx == 0) mx = 1;
  for (int64_t d = 0; d < dims; d++) {
    long lv = lrintf((query[d] / mx + 1.0f) * 7.5f);
    if (lv < 0) lv = 0;
    if (lv > 15) lv = 15;
    for (int b = 0; b < 4; b++)
      if ((lv >> b) & 1) planes[b * words + d / 64] |= (uint64_t)1 << (d % 64);
  }

  if (cap < 2 * k) cap = 2 * k;
  int nthreads = (int)threads; /* clamped to MAX_THREADS above */
  if (count / nthreads < MIN_PER_THREAD) nthreads = (int)(count / MIN_PER_THREAD) > 1 ? (int)(count / MIN_PER_THREAD) : 1;
  /*
   * Each part keeps and re-ranks its own shortlist. The global best `cap` codes fall about evenly into
   * the parts, so each keeps a quarter more than its share (and at least k, for exact small searches).
   */
  int64_t part_cap = nthreads == 1 ? cap : (cap * 5) / (4 * nthreads) + 8;
  if (part_cap < k) part_cap = k;
  if (part_cap > cap) part_cap = cap;
  bufs_size = sizeof(cand_t) * 2 * (size_t)part_cap * nthreads;
  hits_size = sizeof(hit_t) * (size_t)part_cap * nthreads;
  bufs = (cand_t *)malloc(bufs_size);
  hits = (hit_t *)malloc(hits_size);
  REFUSE(!bufs || !hits, "out of memory");
#undef REFUSE
  const search_t shared = {
      .codes = codes,
      .dead = dead,
      .words = words,
      .planes = planes,
      .cap = (int)part_cap,
      .seg = seg,
      .shift = shift,
      .mask = per_seg - 1,
      .dims = dims,
      .query = query,
      .min_sim = (float)min_sim,
  };
  part_t parts[MAX_THREADS];
  pthread_t tids[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int t = 0; t < nthreads; t++) {
    parts[t] = (part_t){
        .s = &shared,
        .lo = (count * t / nthreads) & ~(int64_t)7,
        .hi = t + 1 == nthreads ? count : (count * (t + 1) / nthreads) & ~(int64_t)7,
        .buf = bufs + 2 * (size_t)part_cap * t,
        .hits = hits + (size_t)part_cap * t,
    };
  }
  const int on_helper = nthreads > 1 && helper_post(&parts[1]);
  for (int t = on_helper ? 2 : 1; t < nthreads; t++) started[t] = pthread_create(&tids[t], NULL, scan_part, &parts[t]) == 0;
  scan_part(&parts[0]);
  for (int t = on_helper ? 2 : 1; t < nthreads; t++) {
    if (started[t]) pthread_join(tids[t], NULL);
    else scan_part(&parts[t]); /* no thread to be had: scan it here */
  }
  if (on_helper) helper_wait();

  /* Merge the parts' exact hits. */
  int nh = 0;
  for (int t = 0; t < nthreads; t++) {
    memmove(hits + nh, parts[t].hits, sizeof(hit_t) * parts[t].nh);
    nh += parts[t].nh;
  }
  qsort(hits, nh, sizeof(hit_t), by_sim_desc);
  n = nh < k ? nh : (int)k;
  for (int i = 0; i < n; i++) {
    out_labels[i] = hits[i].label;
    out_sims[i] = hits[i].sim;
  }

done:
  /* The planes, shortlists and hits describe the query: wiped before they go back to the allocator. */
  if (planes) secure_zero(planes, planes_size);
  if (bufs) secure_zero(bufs, bufs_size);
  if (hits) secure_zero(hits, hits_size);
  free(planes);
  free(bufs);
  free(hits);
  free(seg);
  free(seg_len);
  if (bad) FAIL(bad);
  napi_value result;
  CHECK(napi_create_int32(env, n, &result));
  return result;
}

/*
 * adviseHugePages(array): asks the kernel for transparent huge pages over the array's whole 2 MB
 * stretches (THP "madvise" mode). The re-rank reads hundreds of scattered 2 KB vectors a search: with 4 KB
 * pages each costs a TLB miss and page walk. Best called on a fresh (untouched) array. Returns bytes advised.
 */
static napi_value advise_huge_pages(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is = false;
  if (argc < 1 || napi_is_typedarray(env, argv[0], &is) != napi_ok || !is) FAIL("adviseHugePages(typedArray)");
  napi_typedarray_type type;
  size_t length, off;
  void *data;
  napi_value ab, byte_length;
  double bytes = 0;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, &ab, &off));
  CHECK(napi_get_named_property(env, argv[0], "byteLength", &byte_length));
  CHECK(napi_get_value_double(env, byte_length, &bytes));
  const uintptr_t huge = 2u << 20;
  uintptr_t start = ((uintptr_t)data + huge - 1) & ~(huge - 1);
  uintptr_t end = ((uintptr_t)data + (size_t)bytes) & ~(huge - 1);
  double advised = 0;
#ifdef MADV_HUGEPAGE
  if (end > start && madvise((void *)start, end - start, MADV_HUGEPAGE) == 0) advised = (double)(end - start);
#endif
  napi_value result;
  CHECK(napi_create_double(env, advised, &result));
  return result;
}

/* Which scan this CPU gets: "avx512-vpopcntdq" or "scalar". */
static napi_value kernel(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  const char *name = atomic_load(&use_avx512) ? "avx512-vpopcntdq" : "scalar";
  CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result));
  return result;
}

/* useKernel("scalar" | "auto"): forces the portable scan (tests compare the two); returns the kernel in use. */
static napi_value use_kernel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[16] = {0};
  size_t len = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) FAIL("useKernel(\"scalar\" | \"auto\")");
  if (strcmp(name, "scalar") == 0) atomic_store(&use_avx512, 0);
  else if (strcmp(name, "auto") == 0) atomic_store(&use_avx512, cpu_has_avx512());
  else FAIL("useKernel(\"scalar\" | \"auto\")");
  return kernel(env, info);
}

static atomic_flag kernel_chosen = ATOMIC_FLAG_INIT;

NAPI_MODULE_INIT() {
  /* Chosen once per process: a worker thread loading the addon later must not undo useKernel. */
  if (!atomic_flag_test_and_set(&kernel_chosen)) atomic_store(&use_avx512, cpu_has_avx512());
  napi_property_descriptor props[] = {
      {"encode", NULL, encode, NULL, NULL, NULL, napi_default, NULL},
      {"search", NULL, search, NULL, NULL, NULL, napi_default, NULL},
      {"kernel", NULL, kernel, NULL, NULL, NULL, napi_default, NULL},
      {"useKernel", NULL, use_kernel, NULL, NULL, NULL, napi_default, NULL},
      {"adviseHugePages", NULL, advise_huge_pages, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}
