// LightGBM's own predictor, timed the way bench/scoring times rerank's: one result list of ROWS rows at a time,
// one thread, through LightGBM's C API (lib_lightgbm.so from the python package), so no interpreter is timed.
// Two ways LightGBM offers: the whole list in one call (LGBM_BoosterPredictForMat), and row by row through a
// prepared configuration (LGBM_BoosterPredictForMatSingleRowFast). Writes the scores of the first way.
//
//   lightgbm_predict MODEL ROWS_F32 WIDTH ROWS RUNS SCORES_OUT
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

// The C API's declarations (LightGBM's c_api.h, which the python package does not ship).
typedef void *BoosterHandle;
typedef void *FastConfigHandle;
int LGBM_BoosterCreateFromModelfile(const char *filename, int *out_num_iterations, BoosterHandle *out);
int LGBM_BoosterPredictForMat(BoosterHandle handle, const void *data, int data_type, int32_t nrow, int32_t ncol,
                              int is_row_major, int predict_type, int start_iteration, int num_iteration,
                              const char *parameter, int64_t *out_len, double *out_result);
int LGBM_BoosterPredictForMatSingleRowFastInit(BoosterHandle handle, const int predict_type, const int start_iteration,
                                               const int num_iteration, const int data_type, const int32_t ncol,
                                               const char *parameter, FastConfigHandle *out_fastConfig);
int LGBM_BoosterPredictForMatSingleRowFast(FastConfigHandle fastConfig, const void *data, int64_t *out_len,
                                           double *out_result);
const char *LGBM_GetLastError(void);

enum { DTYPE_FLOAT32 = 0, PREDICT_NORMAL = 0 };

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, double *samples, int count) {
    double sum = 0;
    for (int i = 0; i < count; i++) sum += samples[i];
    qsort(samples, count, sizeof *samples, by_value);
    printf("%s: p10 %.1f µs, p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, mean %.1f µs\n", what, samples[count / 10],
           samples[count / 2], samples[count * 9 / 10], samples[count * 99 / 100], sum / count);
}

static void check(int status, const char *call) {
    if (status != 0) {
        fprintf(stderr, "%s: %s\n", call, LGBM_GetLastError());
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s MODEL ROWS_F32 WIDTH ROWS RUNS SCORES_OUT\n", argv[0]);
        return 2;
    }
    int width = atoi(argv[3]), rows = atoi(argv[4]), runs = atoi(argv[5]);
    FILE *file = fopen(argv[2], "rb");
    if (!file) { perror(argv[2]); return 1; }
    fseek(file, 0, SEEK_END);
    long values = ftell(file) / (long)sizeof(float);
    rewind(file);
    float *data = malloc(values * sizeof(float));
    if (fread(data, sizeof(float), values, file) != (size_t)values) { perror(argv[2]); return 1; }
    fclose(file);
    int lists = (int)(values / ((long)width * rows));
    if (lists == 0) { fprintf(stderr, "no complete list of %d rows in %s\n", rows, argv[2]); return 1; }

    BoosterHandle booster;
    int iterations;
    check(LGBM_BoosterCreateFromModelfile(argv[1], &iterations, &booster), "LGBM_BoosterCreateFromModelfile");
    double *scores = calloc((size_t)lists * rows, sizeof(double));
    double *samples = malloc(sizeof(double) * (runs > lists ? runs : lists));
    int count = runs > lists ? runs : lists;
    int64_t length;

    for (int run = 0; run < count; run++) {
        int list = run % lists;
        const float *input = data + (size_t)list * rows * width;
        double begin = now_us();
        check(LGBM_BoosterPredictForMat(booster, input, DTYPE_FLOAT32, rows, width, 1, PREDICT_NORMAL, 0, -1,
                                        "num_threads=1", &length, scores + (size_t)list * rows),
              "LGBM_BoosterPredictForMat");
        samples[run] = now_us() - begin;
    }
    printf("LightGBM (%d trees), a list of %d rows per LGBM_BoosterPredictForMat call, %d lists", iterations, rows, count);
    report("", samples, count);

    FastConfigHandle fast;
    check(LGBM_BoosterPredictForMatSingleRowFastInit(booster, PREDICT_NORMAL, 0, -1, DTYPE_FLOAT32, width,
                                                     "num_threads=1", &fast),
          "LGBM_BoosterPredictForMatSingleRowFastInit");
    double *single = malloc(sizeof(double) * rows), largest = 0;
    for (int run = 0; run < count; run++) {
        int list = run % lists;
        double begin = now_us();
        for (int row = 0; row < rows; row++) {
            check(LGBM_BoosterPredictForMatSingleRowFast(fast, data + ((size_t)list * rows + row) * width, &length,
                                                         single + row),
                  "LGBM_BoosterPredictForMatSingleRowFast");
        }
        samples[run] = now_us() - begin;
        for (int row = 0; row < rows; row++) {
            double difference = single[row] - scores[(size_t)list * rows + row];
            if (difference < 0) difference = -difference;
            if (difference > largest) largest = difference;
        }
    }
    printf("LightGBM, the same lists row by row (LGBM_BoosterPredictForMatSingleRowFast)");
    report("", samples, count);
    printf("largest difference between LightGBM's two ways: %.3g\n", largest);

    FILE *out = fopen(argv[6], "wb");
    if (!out || fwrite(scores, sizeof(double), (size_t)lists * rows, out) != (size_t)lists * rows) {
        perror(argv[6]);
        return 1;
    }
    fclose(out);
    return 0;
}
