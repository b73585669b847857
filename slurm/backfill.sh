#!/usr/bin/env bash
# backfill.sh - submit one Slurm array task per trading date of a range.
#
#   slurm/backfill.sh [-t THROTTLE] [-n] FIRST,LAST [SBATCH_OPTION...] [-- TAQMPI_ARG...]
#
# Lists the dates present in the input (the YYYY-MM-DD folders under
# <input>/csv and <input>/json, as taqmpi sees them) between FIRST and LAST,
# and submits slurm/taq.sh as `sbatch --array=0-(N-1)%THROTTLE` with the list
# in TAQ_ARRAY_DATES, so task K processes the K-th date present: no task is
# spent on weekends or holidays, and `taqmpi status` / squeue line up
# one-to-one with dates. Dates are independent (each reads its previous
# close from the input), so tasks run in any order, THROTTLE at a time
# (default 4).
#
#   -t THROTTLE   at most this many dates at once (default 4)
#   -n            dry run: print the dates and the sbatch command, submit nothing
#
# Every TAQ_* setting of slurm/taq.sh (TAQ_INPUT, TAQ_OUTPUT, TAQ_JOB,
# TAQ_TRACKER, TAQ_FORCE, TAQ_BIN, TAQ_LAUNCHER) applies to every task; set
# them in the environment (sbatch passes it on; do not give --export=NONE).
# TAQ_INPUT (default data) is read here, relative to the current folder,
# which is also the job's working folder unless an SBATCH_OPTION says
# --chdir. SBATCH_OPTIONs (--ntasks=8, --partition=..., --time=...) go to
# sbatch before the script; the per-task output file is taqmpi-%A_%a.out
# unless one of them sets --output. Without TAQ_BIN or TAQ_HOME, TAQ_HOME is
# set to the checkout holding this script, so taq.sh finds
# build/src/taqmpi whatever folder you submit from.
# Prints the array job id (as sbatch does). Slurm's MaxArraySize (default
# 1001) caps a single backfill at 1001 dates: split longer ranges.
set -euo pipefail

die() {
    echo "backfill.sh: error: $*" >&2
    exit 2
}

usage() {
    sed -n '3p' "$0" | sed 's/^#  */usage: /' >&2
    exit 2
}

valid_date() { [[ "$1" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; }

# The dates present in input folder $1 from $2 to $3, one a line, sorted.
present_dates() {
    local input=$1 first=$2 last=$3 f d
    [ -d "$input/csv" ] || [ -d "$input/json" ] ||
        die "input folder $input has neither csv/ nor json/ inside (set TAQ_INPUT)"
    for f in "$input"/csv/*/ "$input"/json/*/; do
        [ -d "$f" ] || continue
        d=$(basename "$f")
        valid_date "$d" || continue
        # ISO dates compare as strings.
        [[ "$d" < "$first" || "$d" > "$last" ]] || echo "$d"
    done | sort -u
}

main() {
    local throttle=4 dry=0 opt
    while getopts ":t:nh" opt; do
        case "$opt" in
        t) throttle=$OPTARG ;;
        n) dry=1 ;;
        *) usage ;;
        esac
    done
    shift $((OPTIND - 1))
    [ $# -ge 1 ] || usage
    [[ "$throttle" =~ ^[1-9][0-9]*$ ]] || die "-t $throttle: a positive number of tasks"
    local range=$1 first last
    shift
    first=${range%%,*}
    last=${range#*,}
    if ! valid_date "$first" || ! valid_date "$last"; then
        die "$range: dates are FIRST,LAST as YYYY-MM-DD"
    fi
    [[ ! "$last" < "$first" ]] || die "$range: LAST is before FIRST"

    # sbatch options up to "--", taqmpi arguments after it.
    local -a sbatch_opts=() taq_args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        sbatch_opts+=("$1")
        shift
    done
    [ $# -eq 0 ] || { shift; taq_args=("$@"); }
    local o output=(--output=taqmpi-%A_%a.out)
    for o in "${sbatch_opts[@]}"; do
        case "$o" in -o | -o* | --output | --output=*) output=() ;; esac
    done

    local input=${TAQ_INPUT:-data} here
    local -a dates
    mapfile -t dates < <(present_dates "$input" "$first" "$last")
    if [ ${#dates[@]} -eq 0 ]; then
        echo "backfill.sh: no dates in $input between $first and $last: nothing submitted" >&2
        exit 0
    fi
    here=$(dirname "$(readlink -f "$0")")
    if [ -z "${TAQ_BIN:-}" ] && [ -z "${TAQ_HOME:-}" ]; then
        export TAQ_HOME=$here/..
    fi
    export TAQ_ARRAY_DATES="${dates[*]}"
    # TAQ_DATES would be ignored by the tasks (the list wins); drop it to
    # avoid confusing anyone reading the job's environment.
    unset TAQ_DATES
    local -a cmd=(sbatch --parsable "--array=0-$((${#dates[@]} - 1))%$throttle" "${output[@]}"
        "${sbatch_opts[@]}" "$here/taq.sh" "${taq_args[@]}")
    echo "backfill.sh: ${#dates[@]} date(s) in $input from $first to $last, $throttle at a time:" \
        "${dates[*]}" >&2
    if [ "$dry" -eq 1 ]; then
        echo "backfill.sh: would run: TAQ_ARRAY_DATES='$TAQ_ARRAY_DATES' ${cmd[*]}" >&2
        exit 0
    fi
    "${cmd[@]}"
}

main "$@"
