# Run `mmref check TRACE`; pass when it exits 2 and stderr holds TRACE:<expect> where the
# trace's first line is `# expect: LINE:COL: text`.
file(STRINGS ${TRACE} first LIMIT_COUNT 1)
string(REGEX REPLACE "^# expect: " "" expect "${first}")
execute_process(COMMAND ${MMREF} check ${TRACE} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "exit ${rc}, want 2\nstdout: ${out}\nstderr: ${err}")
endif()
string(FIND "${err}" "${TRACE}:${expect}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "stderr lacks '${TRACE}:${expect}'\nstderr: ${err}")
endif()
