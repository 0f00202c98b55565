/* What the JDK throws for each accept errno: see run.sh. The first NF_TIMES accepts on each listening port fail with NF_ERRNO. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#include <pthread.h>
/* NF_ERRNO=n, NF_TIMES=k, NF_MODE=before|consume: the first k accepts on each listening port fail with errno n.
   before: fail without touching the queue; consume: accept a connection, reset it, then fail (a connection lost). */
static int ports[256], counts[256], nports; static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int should_fail(int fd) {
  struct sockaddr_in6 sa; socklen_t l = sizeof sa; if (getsockname(fd, (struct sockaddr*)&sa, &l)) return 0;
  int port = ntohs(sa.sin6_port); int times = atoi(getenv("NF_TIMES") ? getenv("NF_TIMES") : "0"); int r = 0;
  pthread_mutex_lock(&mu); int i; for (i = 0; i < nports && ports[i] != port; i++);
  if (i == nports && nports < 256) { ports[nports] = port; counts[nports++] = 0; }
  if (i < 256 && counts[i] < times) { counts[i]++; r = 1; }
  pthread_mutex_unlock(&mu); return r; }
static int (*real4)(int, struct sockaddr*, socklen_t*, int);
static int go(int fd, struct sockaddr *a, socklen_t *l, int f) {
  if (!real4) real4 = dlsym(RTLD_NEXT, "accept4");
  if (!getenv("NF_ERRNO")) return real4(fd, a, l, f);
  int e = atoi(getenv("NF_ERRNO")); const char *m = getenv("NF_MODE");
  if (m && m[0] == 'c') {
    int n = real4(fd, a, l, f); if (n < 0) return n;
    if (!should_fail(fd)) return n;
    struct linger lg = {1, 0}; setsockopt(n, SOL_SOCKET, SO_LINGER, &lg, sizeof lg); close(n); errno = e; return -1; }
  if (should_fail(fd)) { errno = e; return -1; }
  return real4(fd, a, l, f); }
int accept(int fd, struct sockaddr *a, socklen_t *l) { return go(fd, a, l, 0); }
int accept4(int fd, struct sockaddr *a, socklen_t *l, int f) { return go(fd, a, l, f); }
