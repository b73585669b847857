#!/usr/bin/env bash
#SBATCH --job-name=taqmpi
#SBATCH --nodes=1
#SBATCH --ntasks=4
#SBATCH --time=02:00:00
#SBATCH --output=taqmpi-%j.out
#
# taq.sh - run taqmpi as a Slurm batch job.
#
#   sbatch [SBATCH_OPTION...] slurm/taq.sh [TAQMPI_ARG...]
#
# The #SBATCH lines above are defaults; options on the sbatch command line
# win (sbatch --ntasks=16 --time=6:00:00 --partition=long slurm/taq.sh).
# An array job should name its output per task: #SBATCH cannot depend on
# --array, so pass --output=taqmpi-%A_%a.out yourself (slurm/backfill.sh
# does). Arguments after the script name go to taqmpi unchanged (-v, ...).
#
# Settings, from the environment (sbatch passes the submitting shell's
# environment by default; with --export give ALL first:
# sbatch --export=ALL,TAQ_DATES=2020-08-06 slurm/taq.sh):
#
#   TAQ_INPUT     --input DIR (default: taqmpi's, data/)
#   TAQ_OUTPUT    --output DIR (default: taqmpi's, out/)
#   TAQ_DATES     FIRST,LAST or D: --date-range (default: every input date)
#   TAQ_JOB       --job NAME (default: taqmpi's, taq)
#   TAQ_TRACKER   --tracker CONNINFO (default: PG* variables, else the
#                 journal in the output folder). Keep passwords in
#                 ~/.pgpass: a CONNINFO is visible in the job's environment.
#   TAQ_FORCE     1 for --force (reprocess dates already marked success)
#   TAQ_BIN       the taqmpi executable (see "Finding taqmpi" below)
#   TAQ_HOME      a taqmpi source checkout whose build/src/taqmpi to use
#   TAQ_LAUNCHER  srun (default: srun --mpi=pmix, one rank per Slurm task)
#                 or mpirun (Open MPI's mpirun inside the allocation, for
#                 sites whose Slurm has no PMIx plugin)
#
# Relative paths are relative to the job's working folder, which is the
# folder sbatch was run in unless --chdir says otherwise.
#
# Job-array mode (backfills): when SLURM_ARRAY_TASK_ID is set, each task
# processes one date, `taqmpi --date-range D,D`. Dates are independent
# (the previous close is read from the input), so tasks may run in any order
# and in parallel (throttle with --array=...%N). The task's date is
#   - entry number SLURM_ARRAY_TASK_ID (from 0) of TAQ_ARRAY_DATES, a
#     space-separated list of dates; slurm/backfill.sh lists the dates present
#     in the input and submits exactly one task per date. Preferred.
#   - else FIRST + SLURM_ARRAY_TASK_ID calendar days, FIRST from TAQ_DATES:
#       TAQ_DATES=2020-08-01,2020-08-31 sbatch --array=0-30%4 \
#           --output=taqmpi-%A_%a.out slurm/taq.sh
#     A weekend or holiday is simply absent from the input: taqmpi selects
#     no date and the task succeeds at once. A task past LAST does nothing.
# The tracker row of an array task records "<array job id>_<task id>" as its
# Slurm job (e.g. 1234_7, the name squeue/scontrol/sacct accept); a plain
# job records SLURM_JOB_ID. `taqmpi status` shows it in the slurm_job column.
#
# Finding taqmpi: TAQ_BIN when set (it must be executable; no fallback),
# else taqmpi on PATH, else build/src/taqmpi of a source checkout: TAQ_HOME,
# the folder above this script when run in place (bash slurm/taq.sh inside
# salloc), else the submit folder or its parent (SLURM_SUBMIT_DIR: sbatch runs
# a copy of this script from its spool folder, so the script's own location
# says nothing). Not found: exit 2 with a message in the job's output file.
#
# Exit status: taqmpi's (0 every date succeeded or was skipped, 1 a date
# failed, 2 usage or configuration error), so a failed date makes the job
# FAILED in squeue/scontrol/sacct; 2 as well for a bad setting of this script.
set -euo pipefail

die() {
    echo "taq.sh: error: $*" >&2
    exit 2
}

# The taqmpi executable, per "Finding taqmpi" above.
find_taqmpi() {
    if [ -n "${TAQ_BIN:-}" ]; then
        if [ ! -f "$TAQ_BIN" ] || [ ! -x "$TAQ_BIN" ]; then
            die "TAQ_BIN=$TAQ_BIN is not an executable file"
        fi
        echo "$TAQ_BIN"
        return
    fi
    if command -v taqmpi >/dev/null 2>&1; then
        command -v taqmpi
        return
    fi
    local here tried=() c
    here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
    for c in ${TAQ_HOME:+"$TAQ_HOME"} "$here/.." \
        ${SLURM_SUBMIT_DIR:+"$SLURM_SUBMIT_DIR" "$SLURM_SUBMIT_DIR/.."}; do
        c=$c/build/src/taqmpi
        if [ -f "$c" ] && [ -x "$c" ]; then
            echo "$(readlink -f "${c%/taqmpi}")/taqmpi"
            return
        fi
        tried+=("$c")
    done
    die "taqmpi not found: TAQ_BIN is not set, no taqmpi on PATH, and none at ${tried[*]}." \
        "Set TAQ_BIN=/path/to/taqmpi (or TAQ_HOME=/path/to/checkout)."
}

# The date of array task $1 (see "Job-array mode" above); nothing when the
# task lies past the end of TAQ_DATES. Runs in $(...): die exits only the
# subshell, and set -e then stops the caller with the same status.
array_date() {
    local task=$1 first last d
    if [ -n "${TAQ_ARRAY_DATES:-}" ]; then
        local -a dates
        read -r -a dates <<<"$TAQ_ARRAY_DATES"
        [ "$task" -lt "${#dates[@]}" ] ||
            die "array task $task but TAQ_ARRAY_DATES lists only ${#dates[@]} date(s)"
        echo "${dates[$task]}"
        return
    fi
    [ -n "${TAQ_DATES:-}" ] ||
        die "array task $task: set TAQ_DATES=FIRST,LAST (or use slurm/backfill.sh)"
    first=${TAQ_DATES%%,*}
    last=${TAQ_DATES#*,}
    local iso='^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
    if ! [[ "$first" =~ $iso && "$last" =~ $iso ]] ||
        ! d=$(date -u -d "$first + $task days" +%F 2>/dev/null); then
        die "TAQ_DATES=$TAQ_DATES: not FIRST,LAST as YYYY-MM-DD dates"
    fi
    if [[ "$d" > "$last" ]]; then
        echo "taq.sh: array task $task is day $d, after $last: nothing to do" >&2
        return 0 # no date: the caller's cue to stop
    fi
    echo "$d"
}

# A command line, shell-quoted, with any tracker CONNINFO (it may hold a
# password) replaced by <hidden>.
shown() {
    local a prev="" out=""
    for a in "$@"; do
        if [ "$prev" = --tracker ]; then
            out+=" <hidden>"
        elif [[ "$a" == --tracker=* ]]; then
            out+=" --tracker=<hidden>"
        elif [[ "$a" =~ ^[A-Za-z0-9_./:,=@%+-]+$ ]]; then
            out+=" $a"
        else
            out+=$(printf ' %q' "$a")
        fi
        prev=$a
    done
    echo "${out# }"
}

main() {
    [ -n "${SLURM_JOB_ID:-}" ] ||
        die "not inside a Slurm job: submit with sbatch (or run inside salloc)"
    local bin
    bin=$(find_taqmpi)

    local -a args=()
    [ -z "${TAQ_INPUT:-}" ] || args+=(--input "$TAQ_INPUT")
    [ -z "${TAQ_OUTPUT:-}" ] || args+=(--output "$TAQ_OUTPUT")
    [ -z "${TAQ_JOB:-}" ] || args+=(--job "$TAQ_JOB")
    [ -z "${TAQ_TRACKER:-}" ] || args+=(--tracker "$TAQ_TRACKER")
    case "${TAQ_FORCE:-0}" in
    0 | "") ;;
    1) args+=(--force) ;;
    *) die "TAQ_FORCE=$TAQ_FORCE: use 1 or 0" ;;
    esac
    local what
    if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
        local d
        d=$(array_date "$SLURM_ARRAY_TASK_ID")
        [ -n "$d" ] || exit 0
        args+=(--date-range "$d,$d")
        what="array task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}, date $d"
    elif [ -n "${TAQ_DATES:-}" ]; then
        args+=(--date-range "$TAQ_DATES")
        what="dates $TAQ_DATES"
    else
        what="every date in the input"
    fi

    local -a launch
    case "${TAQ_LAUNCHER:-srun}" in
    srun) launch=(srun --mpi=pmix) ;;
    mpirun)
        launch=(mpirun)
        [ -z "${SLURM_NTASKS:-}" ] || launch+=(-n "$SLURM_NTASKS")
        # Open MPI refuses to run as root unless told so; only then.
        if [ "$(id -u)" -eq 0 ]; then
            export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        fi
        ;;
    *) die "TAQ_LAUNCHER=$TAQ_LAUNCHER: use srun or mpirun" ;;
    esac

    args+=("$@")
    echo "taq.sh: job $SLURM_JOB_ID on ${SLURM_JOB_NODELIST:-?}, ${SLURM_NTASKS:-?} task(s), $what"
    echo "taq.sh: $(shown "${launch[@]}" "$bin" "${args[@]}")"
    exec "${launch[@]}" "$bin" "${args[@]}"
}

main "$@"
