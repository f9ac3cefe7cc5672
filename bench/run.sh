#!/usr/bin/env bash
# Builds the bench module, runs every JMH benchmark and the non-JMH measurements, and writes
# BENCHMARKS.md at the repository root. About 15-20 minutes on 2 cores (ONLY=retirement: about 4).
#
#   bench/run.sh                 # everything, default settings
#   JMH_OPTS="-f 1 -wi 1 -w 1s -i 2 -r 1s" bench/run.sh   # other JMH run settings (replace the defaults)
#   BENCH=SerdeBench bench/run.sh   # only the JMH benchmarks matching this regexp (the report needs all)
#   RECORDS=100000 STREAMS_RECORDS=50000 bench/run.sh   # smaller non-JMH runs
#   CPU_SECONDS=10 bench/run.sh  # seconds per case of the CPU-time cross-check
#   MVN_OFFLINE=-o bench/run.sh  # build offline
#   ONLY=retirement bench/run.sh # only the key retirement measurements (a few minutes): adds or replaces
#                                # that section of BENCHMARKS.md, every other figure stays as it was
#   RETIREMENT_RECORDS=100000 bench/run.sh   # records of the key retirement run (0: skip it)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=bench/target/results
mkdir -p "$OUT"

echo "== building"
mvn -B -q ${MVN_OFFLINE:-} -pl bench -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
JVM_OPTS=(-Dsun.net.httpserver.nodelay=true -Djdk.httpclient.allowRestrictedHeaders=content-length)

if [ "${ONLY:-}" = retirement ]; then
    echo "== key retirement: re-key economy and inspect"
    java -Xmx4g "${JVM_OPTS[@]}" -cp "$CP" dev.fieldseal.bench.KeyRetirement "$OUT/retirement.json" \
        "${RETIREMENT_RECORDS:-1000000}" > "$OUT/retirement.txt"
    echo "== report: the key retirement section only"
    java -cp "$CP" dev.fieldseal.bench.Report --key-retirement "$OUT/retirement.json" "$ROOT/BENCHMARKS.md"
    echo "updated the key retirement section of $ROOT/BENCHMARKS.md"
    exit 0
elif [ -n "${ONLY:-}" ]; then
    echo "ONLY=$ONLY: the only partial run is ONLY=retirement" >&2
    exit 2
fi

echo "== JMH benchmarks"
# Two forks per benchmark, each 3 x 2 s warm-up (the deserializer needs more than 3 s to be fully
# compiled) and 3 x 1 s measurement; the report takes the median of the 6 iterations.
java -cp "$CP" org.openjdk.jmh.Main "${BENCH:-dev.fieldseal.bench.*Bench.*}" \
    ${JMH_OPTS:--f 2 -wi 3 -w 2s -i 3 -r 1s} -jvmArgs "-Xms1g -Xmx1g" \
    -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.txt"

echo "== CPU-time cross-check of the target ratios (interleaved, thread CPU time)"
java -Xms1g -Xmx1g -cp "$CP" dev.fieldseal.bench.CpuRatios "$OUT/cpu.json" "${CPU_SECONDS:-20}" 2> "$OUT/cpu.txt"

echo "== Key Vault economy, placement, Kafka Streams, key retirement"
java -Xmx6g "${JVM_OPTS[@]}" -cp "$CP" dev.fieldseal.bench.Measurements "$OUT/measurements.json" \
    "${RECORDS:-1000000}" "${STREAMS_RECORDS:-400000}" "${RETIREMENT_RECORDS:-1000000}" > "$OUT/measurements.txt"

echo "== report"
java -cp "$CP" dev.fieldseal.bench.Report "$OUT/jmh.json" "$OUT/measurements.json" "$OUT/cpu.json" \
    "$ROOT/BENCHMARKS.md" bench/NOTES.md
echo "wrote $ROOT/BENCHMARKS.md"
