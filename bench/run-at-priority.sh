#!/bin/bash
# Runs a benchmark command as if the shared machine were idle: the command's scheduling group at
# nice -20 and every other node process's group at nice 19 while it runs (restored to 0 after).
#
#   bench/run-at-priority.sh node dist/bench/rsattae.js --data-dir ../shared/data --models rsattae
#
# Why groups: with autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled = 1) each session
# is a scheduling group and groups share the CPU by the group's nice, so `nice -n -20` alone only
# ranks threads inside one session and a timed job still gets half the cores when another session
# trains. Needs root (writing /proc/PID/autogroup of other users' processes).
set -u
"$@" &
job=$!
echo -20 > "/proc/$job/autogroup" 2>/dev/null || echo "run-at-priority: cannot raise the job's group (not root?)" >&2
own=$(cut -d' ' -f1 "/proc/$job/autogroup" 2>/dev/null)
demoted=""
while kill -0 "$job" 2>/dev/null; do
  for p in $(pgrep node); do
    group=$(cut -d' ' -f1 "/proc/$p/autogroup" 2>/dev/null)
    if [ -n "$group" ] && [ "$group" != "$own" ]; then
      echo 19 > "/proc/$p/autogroup" 2>/dev/null && demoted="$demoted $p"
    fi
  done
  sleep 2
done
for p in $demoted; do echo 0 > "/proc/$p/autogroup" 2>/dev/null; done
wait "$job"
