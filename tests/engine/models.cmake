# Encoder model correctness: random-weight models in the HF layout, engine vs. a PyTorch reference
# (tests/engine/model_check.py). Included from tests/engine/CMakeLists.txt.
add_executable(sy-engine-run ${CMAKE_CURRENT_LIST_DIR}/engine_run.cpp)
target_link_libraries(sy-engine-run PRIVATE sy_engine sy_json sy_warnings)

execute_process(COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/model_check.py --list
                OUTPUT_VARIABLE _sy_model_cases OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _sy_list_rc)
if(NOT _sy_list_rc EQUAL 0)
  # Without /usr/bin/python3 the cases cannot even be listed; one test that fails and says why.
  add_test(NAME engine_model_reference COMMAND ${CMAKE_COMMAND} -E echo
           "engine model tests need /usr/bin/python3 with numpy and torch: run scripts/install-deps.sh")
  set_tests_properties(engine_model_reference PROPERTIES WILL_FAIL ON)
else()
  string(REPLACE "\n" ";" _sy_model_cases "${_sy_model_cases}")
  foreach(case ${_sy_model_cases})
    add_test(NAME engine_model_${case}
             COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/model_check.py --case ${case}
                     --engine-run $<TARGET_FILE:sy-engine-run> --work ${CMAKE_CURRENT_BINARY_DIR}/models
                     --fixtures ${PROJECT_SOURCE_DIR}/../shared/fixtures/hf)
    set_tests_properties(engine_model_${case} PROPERTIES SKIP_RETURN_CODE 77 LABELS "engine;models" TIMEOUT 300)
  endforeach()
endif()
