# Link the model library into one relocatable object without libc; list what is left
# undefined. Anything at all means model/ calls something it does not define.
set(obj ${CMAKE_CURRENT_BINARY_DIR}/model_freestanding.o)
execute_process(COMMAND ${CC} -nostdlib -r -Wl,--whole-archive ${LIB} -Wl,--no-whole-archive
                        -o ${obj} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "link failed: ${err}")
endif()
execute_process(COMMAND nm -u ${obj} OUTPUT_VARIABLE undefined)
# Sanitizer builds add their own runtime hooks; those are not libc.
string(REGEX REPLACE "[^\n]*__(asan|ubsan|sanitizer)[^\n]*\n?" "" undefined "${undefined}")
if(NOT undefined STREQUAL "")
  message(FATAL_ERROR "model/ uses symbols it does not define:\n${undefined}")
endif()
message(STATUS "model/ is freestanding: no undefined symbols")
