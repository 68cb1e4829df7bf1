#include "plugin/rpc_server.h"

#include <errno.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <grp.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log/hclog.h"
#include "plugin/rpc_handshake.h"
#include "plugin/rpc_tls.h"

/* Calls requested from the core at any time; each is replaced as soon as it fires. */
#define RPC_PENDING_SLOTS 16
#define RPC_MAX_MESSAGE (256 * 1024 * 1024)

typedef struct rpc_slot {
  grpc_call *call;
  grpc_call_details details;
  grpc_metadata_array metadata;
  grpc_completion_queue *call_cq; /* bound to this call; driven by its worker thread */
} rpc_slot;

typedef struct {
  grpc_server *server;
  grpc_completion_queue *cq;
  const rpc_server_options *opts;
  atomic_int stopping;
  atomic_int active_calls;
} rpc_state;

static rpc_state g_state;
static volatile sig_atomic_t g_sigint;

static void on_stop_signal(int sig) {
  (void)sig;
  g_sigint = 1;
}

static const rpc_method *find_method(const rpc_server_options *o, grpc_slice path) {
  size_t len = GRPC_SLICE_LENGTH(path);
  const char *p = (const char *)GRPC_SLICE_START_PTR(path);
  for (size_t i = 0; i < o->n_methods; i++)
    if (strlen(o->methods[i].path) == len && memcmp(o->methods[i].path, p, len) == 0)
      return &o->methods[i];
  return NULL;
}

/* Runs one batch on the call's own queue and waits for it. */
static int run_batch(rpc_slot *s, grpc_op *ops, size_t n) {
  if (grpc_call_start_batch(s->call, ops, n, s, NULL) != GRPC_CALL_OK) return -1;
  grpc_event ev = grpc_completion_queue_next(s->call_cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
  return ev.type == GRPC_OP_COMPLETE && ev.success ? 0 : -1;
}

static void finish(rpc_slot *s, int status, const char *details, const uint8_t *msg, size_t msg_len,
                   int send_initial) {
  grpc_op ops[4];
  size_t n = 0;
  int cancelled = 0;
  grpc_byte_buffer *bb = NULL;
  grpc_slice detail_slice = grpc_slice_from_copied_string(details ? details : "");
  memset(ops, 0, sizeof ops);
  if (send_initial) ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
  if (status == GRPC_STATUS_OK) {
    grpc_slice body = grpc_slice_from_copied_buffer((const char *)msg, msg_len);
    bb = grpc_raw_byte_buffer_create(&body, 1);
    grpc_slice_unref(body);
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n++].data.send_message.send_message = bb;
  }
  ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[n].data.send_status_from_server.status = (grpc_status_code)status;
  ops[n++].data.send_status_from_server.status_details = &detail_slice;
  ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[n++].data.recv_close_on_server.cancelled = &cancelled;
  run_batch(s, ops, n);
  if (bb) grpc_byte_buffer_destroy(bb);
  grpc_slice_unref(detail_slice);
}

static void slot_free(rpc_slot *s) {
  if (s->call) grpc_call_unref(s->call);
  grpc_call_details_destroy(&s->details);
  grpc_metadata_array_destroy(&s->metadata);
  grpc_completion_queue_shutdown(s->call_cq);
  while (grpc_completion_queue_next(s->call_cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
         GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(s->call_cq);
  free(s);
}

static void serve_unary(rpc_slot *s, const rpc_method *m) {
  grpc_op ops[2];
  grpc_byte_buffer *req = NULL;
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[1].op = GRPC_OP_RECV_MESSAGE;
  ops[1].data.recv_message.recv_message = &req;
  if (run_batch(s, ops, 2) != 0) {
    if (req) grpc_byte_buffer_destroy(req);
    finish(s, GRPC_STATUS_CANCELLED, "call failed", NULL, 0, 0);
    return;
  }
  grpc_slice body = grpc_empty_slice();
  if (req) {
    grpc_byte_buffer_reader reader;
    if (grpc_byte_buffer_reader_init(&reader, req)) {
      body = grpc_byte_buffer_reader_readall(&reader);
      grpc_byte_buffer_reader_destroy(&reader);
    }
    grpc_byte_buffer_destroy(req);
  }
  uint8_t *resp = NULL;
  size_t resp_len = 0;
  int status = m->handler(g_state.opts->ctx, GRPC_SLICE_START_PTR(body), GRPC_SLICE_LENGTH(body),
                          &resp, &resp_len);
  grpc_slice_unref(body);
  if (status == GRPC_STATUS_OK) {
    finish(s, status, NULL, resp, resp_len, 0);
  } else {
    char *text = resp ? strndup((const char *)resp, resp_len) : NULL;
    finish(s, status, text ? text : "request failed", NULL, 0, 0);
    free(text);
  }
  free(resp);
  if (m->kind == RPC_SHUTDOWN) atomic_store(&g_state.stopping, 1);
}

/* Keeps a server stream open and silent until the client goes away or we stop. */
static void serve_hold(rpc_slot *s) {
  grpc_op ops[2];
  int cancelled = 0;
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[1].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[1].data.recv_close_on_server.cancelled = &cancelled;
  run_batch(s, ops, 2);
}

static void *call_thread(void *arg) {
  rpc_slot *s = arg;
  const rpc_method *m = find_method(g_state.opts, s->details.method);
  char *path = grpc_slice_to_c_string(s->details.method);
  hclog_kv(HCLOG_TRACE, "provider.rpc", "call received", "tf_rpc", path, NULL);
  if (!m) {
    char msg[512];
    snprintf(msg, sizeof msg, "unknown method %s", path);
    finish(s, GRPC_STATUS_UNIMPLEMENTED, msg, NULL, 0, 1);
  } else if (m->kind == RPC_HOLD_STREAM) {
    serve_hold(s);
  } else {
    serve_unary(s, m);
  }
  hclog_kv(HCLOG_TRACE, "provider.rpc", "call served", "tf_rpc", path, NULL);
  gpr_free(path);
  slot_free(s);
  atomic_fetch_sub(&g_state.active_calls, 1);
  OPENSSL_thread_stop(); /* the thread's OpenSSL error queue and caches (TLS clients) */
  return NULL;
}

static int post_slot(void) {
  rpc_slot *s = calloc(1, sizeof *s);
  if (!s) return -1;
  grpc_call_details_init(&s->details);
  grpc_metadata_array_init(&s->metadata);
  s->call_cq = grpc_completion_queue_create_for_next(NULL);
  if (grpc_server_request_call(g_state.server, &s->call, &s->details, &s->metadata, s->call_cq,
                               g_state.cq, s) != GRPC_CALL_OK) {
    slot_free(s);
    return -1;
  }
  return 0;
}

static void dispatch_slot(rpc_slot *s) {
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  atomic_fetch_add(&g_state.active_calls, 1);
  if (pthread_create(&t, &attr, call_thread, s) != 0) {
    atomic_fetch_sub(&g_state.active_calls, 1);
    finish(s, GRPC_STATUS_RESOURCE_EXHAUSTED, "cannot start a thread", NULL, 0, 1);
    slot_free(s);
  }
  pthread_attr_destroy(&attr);
}

static grpc_server_credentials *make_credentials(const rpc_server_options *o,
                                                 rpc_tls_identity *id) {
  if (!o->client_cert_pem) return grpc_insecure_server_credentials_create();
  char err[512];
  if (rpc_tls_check_cert_pem(o->client_cert_pem, err, sizeof err) != 0 ||
      rpc_tls_generate(id, err, sizeof err) != 0) {
    fprintf(stderr, "terraform-provider-gitops: AutoMTLS: %s\n", err);
    return NULL;
  }
  grpc_ssl_pem_key_cert_pair pair = {id->key_pem, id->cert_pem};
  return grpc_ssl_server_credentials_create_ex(
      o->client_cert_pem, &pair, 1, GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY,
      NULL);
}

/* Honours PLUGIN_UNIX_SOCKET_GROUP as go-plugin does. */
static void apply_socket_group(const char *path) {
  const char *g = getenv("PLUGIN_UNIX_SOCKET_GROUP");
  if (!g || !*g) return;
  char *end;
  long gid = strtol(g, &end, 10);
  if (*end) {
    struct group *gr = getgrnam(g);
    if (!gr) return;
    gid = gr->gr_gid;
  }
  if (chown(path, (uid_t)-1, (gid_t)gid) == 0) chmod(path, 0660);
}

static void print_debug_banner(const char *address, const char *socket_path) {
  printf("Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment "
         "variable with the following:\n\n"
         "\tTF_REATTACH_PROVIDERS='{\"%s\":{\"Protocol\":\"grpc\",\"ProtocolVersion\":%d,"
         "\"Pid\":%d,\"Test\":true,\"Addr\":{\"Network\":\"unix\",\"String\":\"%s\"}}}'\n\n"
         "Stop it with Ctrl-C.\n",
         address, RPC_PROTOCOL_VERSION, (int)getpid(), socket_path);
  fflush(stdout);
}

int rpc_server_run(const rpc_server_options *o) {
  char socket_path[108], addr[128], line[4096];
  rpc_tls_identity id = {0};
  int exit_code = 1;

  signal(SIGPIPE, SIG_IGN);
  /* SIGTERM stops cleanly (the socket file is removed). SIGINT reaches us with the
   * user's Ctrl-C to Terraform: go-plugin servers ignore it, as cancellation comes
   * as StopProvider; only in debug mode, where we run alone, does it stop us. */
  signal(SIGTERM, on_stop_signal);
  signal(SIGINT, o->debug_provider_address ? on_stop_signal : SIG_IGN);
  if (rpc_socket_path(socket_path, sizeof socket_path) != 0) {
    fprintf(stderr, "terraform-provider-gitops: no usable directory for the plugin socket\n");
    return 1;
  }
  snprintf(addr, sizeof addr, "unix:%s", socket_path);

  grpc_init();
  memset(&g_state, 0, sizeof g_state);
  g_state.opts = o;
  grpc_arg args[2];
  args[0].type = GRPC_ARG_INTEGER;
  args[0].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
  args[0].value.integer = RPC_MAX_MESSAGE;
  args[1].type = GRPC_ARG_INTEGER;
  args[1].key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
  args[1].value.integer = RPC_MAX_MESSAGE;
  grpc_channel_args chargs = {2, args};
  g_state.server = grpc_server_create(&chargs, NULL);
  g_state.cq = grpc_completion_queue_create_for_next(NULL);
  grpc_server_register_completion_queue(g_state.server, g_state.cq, NULL);

  grpc_server_credentials *creds = make_credentials(o, &id);
  if (!creds) goto out;
  int port = grpc_server_add_http2_port(g_state.server, addr, creds);
  grpc_server_credentials_release(creds);
  if (port == 0) {
    fprintf(stderr, "terraform-provider-gitops: cannot listen on %s\n", socket_path);
    goto out;
  }
  grpc_server_start(g_state.server);
  apply_socket_group(socket_path);
  for (int i = 0; i < RPC_PENDING_SLOTS; i++)
    post_slot();

  if (o->debug_provider_address) {
    print_debug_banner(o->debug_provider_address, socket_path);
  } else {
    int n = rpc_handshake_line(line, sizeof line, o->protocol_version, "unix", socket_path,
                               id.cert_b64);
    if (n < 0 || write(STDOUT_FILENO, line, (size_t)n) != n) goto stop;
  }
  hclog_kv(HCLOG_INFO, "provider", "plugin serving", "address", socket_path, "tls",
           o->client_cert_pem ? "mtls" : "off", NULL);

  /* Poll with a short deadline so Shutdown and SIGINT are noticed promptly. */
  while (!atomic_load(&g_state.stopping) && !g_sigint) {
    gpr_timespec deadline =
        gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(100, GPR_TIMESPAN));
    grpc_event ev = grpc_completion_queue_next(g_state.cq, deadline, NULL);
    if (ev.type == GRPC_QUEUE_TIMEOUT) continue;
    if (ev.type != GRPC_OP_COMPLETE) break;
    rpc_slot *s = ev.tag;
    if (!ev.success) {
      slot_free(s);
      continue;
    }
    dispatch_slot(s);
    post_slot();
  }
  exit_code = 0;
stop:
  grpc_server_shutdown_and_notify(g_state.server, g_state.cq, &g_state);
  grpc_server_cancel_all_calls(g_state.server);
  /* Drain: unfired slots come back unsuccessful, then the shutdown tag. */
  for (;;) {
    gpr_timespec deadline =
        gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(800, GPR_TIMESPAN));
    grpc_event ev = grpc_completion_queue_next(g_state.cq, deadline, NULL);
    if (ev.type != GRPC_OP_COMPLETE || ev.tag == &g_state) break;
    slot_free(ev.tag);
  }
out:
  unlink(socket_path);
  rpc_tls_identity_free(&id);
  hclog_kv(HCLOG_DEBUG, "provider", "plugin exiting", NULL);
  /* Calls may still be running (a cancelled fetch); the process exits without waiting. */
  if (atomic_load(&g_state.active_calls) == 0 && g_state.server) {
    grpc_server_destroy(g_state.server);
    grpc_completion_queue_shutdown(g_state.cq);
    while (grpc_completion_queue_next(g_state.cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(g_state.cq);
    grpc_shutdown();
  }
  return exit_code;
}
