# Run `${MMREF} ${ARGS}` against the live kernel (`check --backend linux FILE`, `fuzz
# --backend linux ...`) and pass when it exits 0. mmref exits 3 when the backend cannot
# run: then, if it could not even start its child (or the build has none), print
# "[mmref-skip] <reason>", which the test's SKIP_REGULAR_EXPRESSION turns into a CTest
# skip; a child lost in the middle of a run is a failure, not a skip.
# EXPECT: a line the output must hold (e.g. `linux.fuzz.sequences 2000`: every sequence
# ran, none was cut short by the time limit).
execute_process(COMMAND ${MMREF} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
message(STATUS "mmref ${ARGS}: exit ${rc}\n${out}${err}")
if(rc EQUAL 3)
  string(REGEX MATCH "cannot start the child[^\n]*|has no linux backend[^\n]*" why "${out}${err}")
  if(why AND NOT "${out}" MATCHES "linux\\.fuzz\\.sequences [1-9]")
    message(STATUS "[mmref-skip] the linux backend cannot run here: ${why}")
    return()
  endif()
  message(FATAL_ERROR "the linux backend stopped in the middle of the run (exit 3)")
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exit ${rc}, want 0")
endif()
if(DEFINED EXPECT)
  string(FIND "${out}" "${EXPECT}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the output lacks '${EXPECT}'")
  endif()
endif()
