# seglogd's load generator (bench/server_load.cc), driven by bench/server_bench.sh. Included by
# CMakeLists.txt inside if(SEGLOG_BUILD_BENCH). It speaks AWS JSON 1.0 (SQS) and 1.1 (Kinesis)
# over HTTP/1.1 keep-alive to any endpoint (seglogd, moto_server), and runs the same SQS cycle
# through the engine's C++ API in-process (the overhead baseline), hence seglog_static.
if(EXISTS ${CMAKE_SOURCE_DIR}/bench/server_load.cc)
  add_executable(seglog-server-load ${CMAKE_SOURCE_DIR}/bench/server_load.cc)
  target_compile_options(seglog-server-load PRIVATE ${SEGLOG_WARNINGS})
  target_compile_definitions(seglog-server-load PRIVATE BOOST_ASIO_NO_DEPRECATED
    BOOST_BEAST_USE_STD_STRING_VIEW)
  target_link_libraries(seglog-server-load PRIVATE seglog_static Boost::headers
    nlohmann_json::nlohmann_json CLI11::CLI11 Threads::Threads)
endif()
