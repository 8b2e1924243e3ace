# seglogd's client tests (included by CMakeLists.txt inside its tests block): each starts seglogd
# on loopback (`--listen 127.0.0.1:0 --ready-file F`), drives it with an unchanged AWS SDK or CLI
# and requires exit status 0 after SIGTERM. A test whose client is not installed skips (77) and
# says which. run.py documents each test; SEGLOG_CLIENTS_ENDPOINT points the scenarios at another
# server (e.g. moto_server) instead.
if(TARGET seglogd)
  set(_seglogd_clients_dir ${CMAKE_SOURCE_DIR}/tests/server/clients)
  # name -> ctest TIMEOUT in seconds (the CLIs start a process per command; kill9 restarts).
  set(_seglogd_clients
    sqs_boto3_pip:120 sqs_boto3_debian:120 sqs_awscli_pip:300 sqs_awscli_debian:300
    sqs_node:120 kinesis_boto3:120 kinesis_node:120 prodcons:180 kill9:240 longpoll:120
    hostile:240 auth:120
    sqs_v3_boto3_pip:240 sqs_v3_boto3_debian:180 sqs_v3_node:180 kill9_inflight:240)
  foreach(_entry ${_seglogd_clients})
    string(REPLACE ":" ";" _pair ${_entry})
    list(GET _pair 0 _name)
    list(GET _pair 1 _timeout)
    add_test(NAME seglogd_client_${_name}
      COMMAND ${CMAKE_SOURCE_DIR}/tests/clients/run_or_skip.sh python3
        ${_seglogd_clients_dir}/run.py $<TARGET_FILE:seglogd> ${_name})
    set_tests_properties(seglogd_client_${_name} PROPERTIES
      LABELS clients SKIP_RETURN_CODE 77 TIMEOUT ${_timeout})
  endforeach()
  # SNS (issue 15): sns_run.py, beside run.py.
  set(_seglogd_sns_clients
    sns_boto3_pip:180 sns_boto3_debian:180 sns_awscli_pip:300 sns_awscli_debian:300
    sns_node:180 kill9_fanout:300)
  foreach(_entry ${_seglogd_sns_clients})
    string(REPLACE ":" ";" _pair ${_entry})
    list(GET _pair 0 _name)
    list(GET _pair 1 _timeout)
    add_test(NAME seglogd_client_${_name}
      COMMAND ${CMAKE_SOURCE_DIR}/tests/clients/run_or_skip.sh python3
        ${_seglogd_clients_dir}/sns_run.py $<TARGET_FILE:seglogd> ${_name})
    set_tests_properties(seglogd_client_${_name} PROPERTIES
      LABELS clients SKIP_RETURN_CODE 77 TIMEOUT ${_timeout})
  endforeach()
endif()
