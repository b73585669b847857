# bench/taqgen: byte-for-byte determinism and exact manifest counts, checked
# with standard tools by taqgen_check.sh (tiny days, no timings). With a
# Python 3, bench/taqgen_verify.py re-derives the manifest independently.
if(TARGET taqgen)
  set(taqgen_cases determinism gzip manifest dates cli)
  find_program(TAQ_PYTHON3 NAMES python3)
  if(TAQ_PYTHON3)
    list(APPEND taqgen_cases verify)
  endif()
  foreach(case ${taqgen_cases})
    add_test(NAME taqgen.${case}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/taqgen_check.sh $<TARGET_FILE:taqgen>
                     ${CMAKE_CURRENT_BINARY_DIR}/scratch/taqgen_${case} ${case})
    set_tests_properties(taqgen.${case} PROPERTIES TIMEOUT 120
                         ENVIRONMENT "PYTHON=${TAQ_PYTHON3}")
  endforeach()
endif()
