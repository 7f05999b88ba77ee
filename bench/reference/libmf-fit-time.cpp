// Times LIBMF's training alone (github cjlin1/libmf, linked as its own `make` builds mf.o), for
// bench/libmf-side-by-side.ts: mf-train prints no times, and its wall time includes reading the
// text file and writing the model. This reads the ratings first, then times only mf_train with
// LIBMF's defaults (mf_get_default_param) except k, iterations and threads, then scores a test
// file.
//
//   g++ -O3 -march=native -pthread -std=c++11 -fopenmp -DUSESSE -DUSEOMP -I LIBMF_DIR \
//     bench/reference/libmf-fit-time.cpp LIBMF_DIR/mf.o -o /tmp/libmf-fit-time
//   /tmp/libmf-fit-time TRAIN TEST K ITERATIONS THREADS
//
// TRAIN and TEST hold one rating a line, "user item rating" (0-based ids), as mf-train reads them.
// Prints one JSON line: {"loadSeconds":…,"fitSeconds":…,"fitCpuSeconds":…,"testRmse":…}, where
// fitCpuSeconds is the CPU time of all the process's threads during mf_train (getrusage).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <sys/resource.h>

#include "mf.h"

using namespace mf;

static std::vector<mf_node> read_ratings(const char *path, mf_int &m, mf_int &n) {
    std::FILE *f = std::fopen(path, "r");
    if (f == nullptr) {
        std::fprintf(stderr, "%s: cannot open\n", path);
        std::exit(1);
    }
    std::vector<mf_node> nodes;
    mf_node node;
    long line = 0;
    int got;
    while ((got = std::fscanf(f, "%d %d %f", &node.u, &node.v, &node.r)) == 3) {
        line++;
        if (node.u + 1 > m) m = node.u + 1;
        if (node.v + 1 > n) n = node.v + 1;
        nodes.push_back(node);
    }
    if (got != EOF) {
        std::fprintf(stderr, "%s:%ld: expected \"user item rating\"\n", path, line + 1);
        std::exit(1);
    }
    std::fclose(f);
    return nodes;
}

static double cpu_seconds() {
    rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1e-6 * (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: libmf-fit-time TRAIN TEST K ITERATIONS THREADS\n");
        return 1;
    }
    auto seconds_since = [](std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    auto loading = std::chrono::steady_clock::now();
    mf_int m = 0, n = 0;
    std::vector<mf_node> train = read_ratings(argv[1], m, n);
    std::vector<mf_node> test = read_ratings(argv[2], m, n);
    double load_seconds = seconds_since(loading);

    mf_problem problem;
    problem.m = m;
    problem.n = n;
    problem.nnz = static_cast<mf_long>(train.size());
    problem.R = train.data();

    mf_parameter param = mf_get_default_param();
    param.k = std::atoi(argv[3]);
    param.nr_iters = std::atoi(argv[4]);
    param.nr_threads = std::atoi(argv[5]);
    param.quiet = true;

    double cpu_before = cpu_seconds();
    auto fitting = std::chrono::steady_clock::now();
    mf_model *model = mf_train(&problem, param);
    double fit_seconds = seconds_since(fitting);
    double fit_cpu_seconds = cpu_seconds() - cpu_before;
    if (model == nullptr) {
        std::fprintf(stderr, "mf_train failed\n");
        return 1;
    }

    double se = 0;
    for (const mf_node &r : test) {
        double e = r.r - mf_predict(model, r.u, r.v);
        se += e * e;
    }
    std::printf("{\"loadSeconds\":%.6f,\"fitSeconds\":%.6f,\"fitCpuSeconds\":%.6f,\"testRmse\":%.6f}\n",
                load_seconds, fit_seconds, fit_cpu_seconds, std::sqrt(se / static_cast<double>(test.size())));
    mf_destroy_model(&model);
    return 0;
}
