#!/bin/bash
# Runs a benchmark command as if the shared machine were idle: the command's scheduling group at
# nice -20 and every other node process's group at nice 19 while it runs (each restored to the nice it had before).
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
# "pid:nice" of every process whose group this script lowered, with the nice it had, so that a
# group already kept low on purpose (a background job at 19) is not raised to 0 afterwards.
demoted=""
while kill -0 "$job" 2>/dev/null; do
  for p in $(pgrep node); do
    line=$(cat "/proc/$p/autogroup" 2>/dev/null)
    group=${line%% *}
    before=${line##* }
    case " $demoted " in *" $p:"*) continue ;; esac
    if [ -n "$group" ] && [ "$group" != "$own" ]; then
      echo 19 > "/proc/$p/autogroup" 2>/dev/null && demoted="$demoted $p:$before"
    fi
  done
  sleep 2
done
for entry in $demoted; do echo "${entry#*:}" > "/proc/${entry%%:*}/autogroup" 2>/dev/null; done
wait "$job"
