-- Brand registry: the Graph API token (encrypted) and ad accounts of each brand.
CREATE TABLE IF NOT EXISTS {db}.brands
(
    brand_id         String,
    name             String,
    token_ciphertext String,
    ad_account_ids   Array(String),
    updated_at       DateTime,
    version          UInt64,
    deleted          UInt8
)
ENGINE = ReplacingMergeTree(version)
ORDER BY brand_id
