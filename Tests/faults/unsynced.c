// unsynced.so: an LD_PRELOAD layer that makes a killed process lose every write it did not fsync, as a power
// cut would; the page cache, which survives a kill -9, is not there to hide a missing fsync.
//
// Files opened for writing under $UNSYNCED_DIR are tracked: write(2) on them keeps the bytes in this process's
// memory, fsync(2) and fdatasync(2) write them to the file and sync it, close(2) drops what was never synced.
// Kill the process and only synced bytes are in the files. With UNSYNCED_IGNORE_FSYNC=1, fsync syncs nothing
// (as if the program never called it): the test of the test, which must then see acknowledged data lost.
//
// Models appends only (the log writer opens with O_APPEND and never seeks); other files pass through.
//
//   cc -shared -fPIC -O2 -o unsynced.so unsynced.c -ldl
//   UNSYNCED_DIR=/var/log/rerank LD_PRELOAD=./unsynced.so rerank serve --log-dir /var/log/rerank ...
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FDS 65536

struct pending {
    int tracked;
    char *bytes;
    size_t length;
    size_t capacity;
};

static struct pending files[MAX_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_close)(int);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);

__attribute__((constructor)) static void load(void) {
    real_write = dlsym(RTLD_NEXT, "write");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    real_close = dlsym(RTLD_NEXT, "close");
    real_open = dlsym(RTLD_NEXT, "open");
    real_openat = dlsym(RTLD_NEXT, "openat");
}

static int under_directory(const char *path) {
    const char *directory = getenv("UNSYNCED_DIR");
    if (directory == NULL || *directory == 0 || path == NULL) return 0;
    size_t length = strlen(directory);
    return strncmp(path, directory, length) == 0 && (path[length] == '/' || path[length] == 0);
}

static int track(int fd, const char *path, int flags) {
    if (fd >= 0 && fd < MAX_FDS && (flags & (O_WRONLY | O_RDWR)) && under_directory(path)) {
        pthread_mutex_lock(&lock);
        files[fd].tracked = 1;
        files[fd].length = 0;
        pthread_mutex_unlock(&lock);
    }
    return fd;
}

int open(const char *path, int flags, ...) {
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(arguments, mode_t) : 0;
    va_end(arguments);
    return track(real_open(path, flags, mode), path, flags);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int directory, const char *path, int flags, ...) {
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(arguments, mode_t) : 0;
    va_end(arguments);
    // Relative paths are not resolved: the log writer opens by absolute path.
    return track(real_openat(directory, path, flags, mode), path, flags);
}

int openat64(int directory, const char *path, int flags, ...) __attribute__((alias("openat")));

ssize_t write(int fd, const void *bytes, size_t count) {
    if (fd < 0 || fd >= MAX_FDS) return real_write(fd, bytes, count);
    pthread_mutex_lock(&lock);
    struct pending *file = &files[fd];
    if (!file->tracked) {
        pthread_mutex_unlock(&lock);
        return real_write(fd, bytes, count);
    }
    if (file->length + count > file->capacity) {
        size_t capacity = (file->length + count) * 2;
        char *grown = realloc(file->bytes, capacity);
        if (grown == NULL) {
            pthread_mutex_unlock(&lock);
            errno = ENOMEM;
            return -1;
        }
        file->bytes = grown;
        file->capacity = capacity;
    }
    memcpy(file->bytes + file->length, bytes, count);
    file->length += count;
    pthread_mutex_unlock(&lock);
    return (ssize_t)count;
}

// Writes what the file holds in memory, then syncs it with `sync`.
static int flush(int fd, int (*sync)(int)) {
    if (fd < 0 || fd >= MAX_FDS) return sync(fd);
    pthread_mutex_lock(&lock);
    struct pending *file = &files[fd];
    if (!file->tracked) {
        pthread_mutex_unlock(&lock);
        return sync(fd);
    }
    const char *ignore = getenv("UNSYNCED_IGNORE_FSYNC");
    if (ignore != NULL && strcmp(ignore, "1") == 0) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    size_t offset = 0;
    while (offset < file->length) {
        ssize_t written = real_write(fd, file->bytes + offset, file->length - offset);
        if (written < 0) {
            if (errno == EINTR) continue;
            int error = errno;
            memmove(file->bytes, file->bytes + offset, file->length - offset);
            file->length -= offset;
            pthread_mutex_unlock(&lock);
            errno = error;
            return -1;
        }
        offset += (size_t)written;
    }
    file->length = 0;
    int result = sync(fd);
    pthread_mutex_unlock(&lock);
    return result;
}

int fsync(int fd) { return flush(fd, real_fsync); }

int fdatasync(int fd) { return flush(fd, real_fdatasync); }

int close(int fd) {
    if (fd >= 0 && fd < MAX_FDS) {
        pthread_mutex_lock(&lock);
        files[fd].tracked = 0;
        files[fd].length = 0;
        pthread_mutex_unlock(&lock);
    }
    return real_close(fd);
}
