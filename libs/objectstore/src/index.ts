export { createS3Client, ensureBucket, type S3ConnectionOptions } from './s3';
