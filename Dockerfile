# The rerank sidecar. Build: docker build -t rerank .
FROM swift:6.3-noble AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends zlib1g-dev && rm -rf /var/lib/apt/lists/*
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY bench/scoring ./bench/scoring
RUN swift build -c release --product rerank --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/rerank" /usr/local/bin/rerank

FROM ubuntu:noble
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/rerank /usr/local/bin/rerank
COPY sample/rerank.json /etc/rerank/rerank.json
EXPOSE 9250
USER nobody
ENTRYPOINT ["rerank"]
CMD ["serve", "--host", "0.0.0.0", "--port", "9250", "--config", "/etc/rerank/rerank.json"]
