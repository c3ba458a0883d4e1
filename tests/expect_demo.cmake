# `mmref run` (the built-in demo) must print GOLDEN byte for byte.
execute_process(COMMAND ${MMREF} run RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mmref run exited ${rc}: ${err}")
endif()
file(READ ${GOLDEN} golden)
if(NOT out STREQUAL golden)
  message(FATAL_ERROR "the built-in demo differs from ${GOLDEN}; regenerate it with `mmref run > ${GOLDEN}` after checking the difference")
endif()
