# Switchyard image: build the jar with Maven, run it on a JRE as a non-root user.
#   docker build -t switchyard .
#   docker run -p 8080:8080 -v "$PWD/my.conf:/etc/switchyard/switchyard.conf:ro" switchyard
# No container engine runs on the project's CI machines: this file is never built there.
# PackagingIT checks it instead (build command, launcher path).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
# .mvn/jvm.config opens javac's internals to Error Prone, which the compile step runs.
COPY .mvn ./.mvn
# conf/ is read by the build too: conf/demo.conf is packed into the jar.
COPY conf ./conf
COPY src ./src
# The README's build command (PackagingIT compares the two), without -q so the build log shows
# in `docker build`. Tests are skipped: they need free local ports, a headless browser and
# minutes of CPU; `mvn -B verify` runs them in CI on the same sources.
RUN mvn -B package -DskipTests

FROM eclipse-temurin:17-jre
# A system user with a fixed id, so a platform that requires a non-root user
# (Kubernetes runAsNonRoot) can check the numeric USER below.
RUN groupadd --system --gid 10001 switchyard \
 && useradd --system --uid 10001 --gid switchyard --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin switchyard
COPY --from=build /src/target/switchyard.jar /opt/switchyard/switchyard.jar
COPY bin/switchyard /opt/switchyard/bin/switchyard
# The sample config as the default; mount your own over it.
COPY conf/switchyard.conf /etc/switchyard/switchyard.conf
RUN chmod 0755 /opt/switchyard/bin/switchyard \
 && chmod 0644 /opt/switchyard/switchyard.jar /etc/switchyard/switchyard.conf
USER 10001:10001

# 8080: the public listener. 9090: admin (/status, /metrics); the sample config binds it to
# 127.0.0.1, which the health check below reaches but `docker run -p` does not.
EXPOSE 8080 9090

# GET /status on the admin listener must answer 200. Bash's /dev/tcp instead of curl, which
# the JRE image is not guaranteed to have. Assumes admin on port 9090, as in the sample config.
# The start period covers JVM start and the first health-check round.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9090 && printf 'GET /status HTTP/1.0\\r\\n\\r\\n' >&3 && read -r _ code _ <&3 && test \"$code\" = 200"]

# The JVM flags are the launcher's (Parallel GC, fixed heap, capped direct memory), chosen by
# measurement: peak RSS about 130-145 MiB at 1,000 keep-alive connections (bench/README.md,
# "JVM flags"). The sizes are set here too, so `docker run -e` overrides are visible in the image.
ENV SWITCHYARD_HEAP=80m SWITCHYARD_DIRECT_MEMORY=128m
# SIGTERM from `docker stop` reaches the JVM directly: the launcher execs java.
ENTRYPOINT ["/opt/switchyard/bin/switchyard"]
CMD ["--config", "/etc/switchyard/switchyard.conf"]
