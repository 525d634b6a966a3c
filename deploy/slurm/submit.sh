#!/usr/bin/env bash
# Submit a netsim sweep to Slurm as a job array of N shards plus a merge job
# that runs once every shard has succeeded (--dependency=afterok).
#
#   deploy/slurm/submit.sh N OUT -- <netsim sweep arguments>
#   deploy/slurm/submit.sh 16 results/sweep.csv -- comparison --param seed=1..64 --runs 3
#
# Run it from the netsim checkout, on a file system every node sees: the
# shards write OUT's folder/parts/part-K.csv there, and the merge writes OUT.
# Extra sbatch options (partition, account, time) go in SBATCH_* variables
# or in the #SBATCH lines of shard.sbatch and merge.sbatch.
set -euo pipefail
usage() { echo "usage: $0 N OUT -- <netsim sweep arguments> (e.g. $0 16 results/sweep.csv -- hub --param seed=1..64)" >&2; exit 2; }
[ $# -ge 4 ] && [ "$3" = "--" ] || usage
n=$1 out=$2
shift 3
[[ $n =~ ^[1-9][0-9]*$ ]] || usage
here=$(cd "$(dirname "$0")" && pwd)
parts="$(dirname "$out")/parts"
mkdir -p "$parts" "$(dirname "$out")/logs"
logs="$(dirname "$out")/logs"
array=$(sbatch --parsable --array="1-$n" --job-name=netsim-shard --output="$logs/shard-%a.log" \
  "$here/shard.sbatch" "$n" "$parts" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --job-name=netsim-merge --output="$logs/merge.log" \
  "$here/merge.sbatch" "$n" "$parts" "$out")
echo "submitted shards as job array $array (1-$n) and the merge as job ${merge%%;*}; rows in $out when both are done"
