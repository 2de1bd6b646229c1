/*
 * A Kafka-protocol broker for tests: librdkafka's mock cluster (rdkafka_mock.h), kept running
 * until stdin closes or SIGTERM. Usage: mock-broker BROKERS [TOPIC:PARTITIONS ...]
 * Prints "bootstrap=<host:port,...>" on one line once it listens. Reads commands on stdin, one per
 * line: "error <api-key> <error-code> <count>" makes the next <count> requests of that API fail
 * with that error code (rd_kafka_mock_push_request_errors_array); it answers "ok".
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

int main(int argc, char **argv) {
  char errstr[512];
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  if (brokers < 1) brokers = 1;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "mock-broker: rd_kafka_new failed: %s\n", errstr);
    return 2;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) {
    fprintf(stderr, "mock-broker: rd_kafka_mock_cluster_new failed\n");
    return 2;
  }
  for (int i = 2; i < argc; i++) {
    char *spec = strdup(argv[i]);
    char *colon = strrchr(spec, ':');
    int partitions = 1;
    if (colon) {
      *colon = '\0';
      partitions = atoi(colon + 1);
    }
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, spec, partitions, brokers < 3 ? brokers : 3);
    if (err) {
      fprintf(stderr, "mock-broker: creating topic %s failed: %s\n", spec, rd_kafka_err2str(err));
      return 2;
    }
    free(spec);
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("bootstrap=%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);
  char line[256];
  while (!stopping && fgets(line, sizeof(line), stdin)) {
    int api_key, code, count;
    if (sscanf(line, "error %d %d %d", &api_key, &code, &count) == 3 && count > 0 && count <= 64) {
      rd_kafka_resp_err_t errors[64];
      for (int i = 0; i < count; i++) errors[i] = (rd_kafka_resp_err_t)code;
      rd_kafka_mock_push_request_errors_array(cluster, (int16_t)api_key, (size_t)count, errors);
      printf("ok\n");
    } else {
      printf("unknown command\n");
    }
    fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
