# Slurm tests against a real throwaway one-node cluster: a fixture starts
# munged + slurmctld + slurmd before the first test_slurm case
# (tests/slurm_cluster.sh, ports from TAQ_TEST_SLURMPORT or 16817) and stops
# it after the last one, also when cases fail. The cases find it through
# TAQ_TEST_SLURMSTATE. Needs root and the slurm-wlm and munge packages
# (scripts/deps.sh); without them a single failing test says so, rather than
# the check silently disappearing from the suite.
find_program(TAQ_SBATCH sbatch)
find_program(TAQ_SLURMD slurmd PATHS /usr/sbin /sbin)
find_program(TAQ_MUNGED munged PATHS /usr/sbin /sbin)
if(TAQ_SANITIZE)
  # The jobs run the same taqmpi the e2e tests already check under the
  # sanitizers; here an instrumented MPI start-up costs ~15 s per job
  # (~150 s in all) and tests nothing new about the script or the cluster.
  message(STATUS "test_slurm: not in the sanitizer build (see tests/slurm.cmake)")
elseif(TAQ_SBATCH AND TAQ_SLURMD AND TAQ_MUNGED)
  taq_add_suite(test_slurm SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_slurm.c
                ${CMAKE_CURRENT_SOURCE_DIR}/e2e_util.c TIMEOUT 300)
  add_dependencies(test_slurm taqmpi)
  set(TAQ_SLURM_STATE ${CMAKE_CURRENT_BINARY_DIR}/slurm_cluster.state)
  set(TAQ_SLURM_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/slurm_cluster.sh)
  get_property(TAQ_SLURM_CASES DIRECTORY PROPERTY TESTS)
  list(FILTER TAQ_SLURM_CASES INCLUDE REGEX "^test_slurm\\.")
  add_test(NAME test_slurm.cluster_start COMMAND bash ${TAQ_SLURM_SCRIPT} start ${TAQ_SLURM_STATE})
  add_test(NAME test_slurm.cluster_stop COMMAND bash ${TAQ_SLURM_SCRIPT} stop ${TAQ_SLURM_STATE})
  set_tests_properties(test_slurm.cluster_start PROPERTIES FIXTURES_SETUP taq_slurm TIMEOUT 60)
  set_tests_properties(test_slurm.cluster_stop PROPERTIES FIXTURES_CLEANUP taq_slurm TIMEOUT 60)
  set_tests_properties(${TAQ_SLURM_CASES} PROPERTIES FIXTURES_REQUIRED taq_slurm)
  set_property(TEST ${TAQ_SLURM_CASES} APPEND PROPERTY ENVIRONMENT
               TAQ_TEST_SLURMSTATE=${TAQ_SLURM_STATE})
else()
  add_test(NAME test_slurm.packages_missing COMMAND sh -c
           "echo 'sbatch, slurmd or munged not found: install slurm-wlm and munge (scripts/deps.sh)' >&2; exit 1")
endif()
