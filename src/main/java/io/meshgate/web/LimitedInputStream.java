package io.meshgate.web;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A body read up to a limit: one byte more and reading fails, whatever Content-Length said. */
final class LimitedInputStream extends FilterInputStream {
  /** The body went past the limit. */
  static final class LimitExceededException extends IOException {
    LimitExceededException(long limit) {
      super("body is over " + limit + " bytes");
    }
  }

  private final long limit;
  private long read;

  LimitedInputStream(InputStream in, long limit) {
    super(in);
    this.limit = limit;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      count(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    if (n > 0) {
      count(n);
    }
    return n;
  }

  private void count(long n) throws LimitExceededException {
    read += n;
    if (read > limit) {
      throw new LimitExceededException(limit);
    }
  }
}
