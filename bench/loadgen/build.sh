#!/bin/sh
# Builds bench/loadgen/loadgen with the system C compiler. Usage: bench/loadgen/build.sh
set -eu
cd "$(dirname "$0")"
${CC:-cc} -O2 -g -std=c11 -Wall -Wextra -pthread -o loadgen loadgen.c ws.c hist.c
