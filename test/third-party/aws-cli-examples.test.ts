import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EcrServer } from '../../handlers/node/index.js'
import { compactJsonText, parseJsonText, prettyJsonText } from '../../src/json-text.js'
import { sha256 } from '../fixtures.js'
import { findAwsCli, useAwsCliAgainstServer } from './aws-cli-harness.js'

/**
 * The AWS CLI's own documented examples for ECR (aws/aws-cli `awscli/examples/ecr/*.rst`, as of
 * develop 07c4fe3, July 2026): each shows a command and the output real ECR returned. Each case
 * here puts in place the data the documented command works on, runs the command with the real
 * AWS CLI v2 against the standalone server, and compares the output with the documented one: its
 * members, their JSON types and the format of their values (digest, ARN, URL, UUID, account id,
 * JSON text and its layout), not the data. Members the fake adds beyond an (often abbreviated)
 * documented output are fine; a documented member missing, or of another type or format, is not.
 */

const REGION = 'us-west-2' // the region of the documented outputs
const ACCOUNT = '123456789012'

interface Setup {
  server: EcrServer
  /** A file in the case's directory, for `file://` arguments. */
  file(name: string, content: string): Promise<string>
}

interface Example {
  /** The example file and the example's heading. */
  source: string
  /** Why the example cannot be replayed. */
  skip?: string
  /** Puts in place the data the documented command works on; returns its arguments after `aws ecr`. */
  command: (setup: Setup) => Promise<string[]>
  /**
   * The documented output: JSON text; `''` for "This command produces no output"; or `'<password>'`
   * for get-login-password's one line.
   */
  output: string
  /** Documented members that are maps, whose keys are data (`$.imageScanFindings.findingSeverityCounts`). */
  maps?: string[]
}

const context = { region: REGION }

/** The policy file of set-repository-policy.rst, trailing spaces included. */
const REPOSITORY_POLICY_FILE = `{
    "Version" : "2008-10-17",
    "Statement" : [ 
        {
            "Sid" : "allow public pull",
            "Effect" : "Allow",
            "Principal" : "*",
            "Action" : [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer" 
            ]
        }
    ]
}
`
const REPOSITORY_POLICY_OUTPUT = `{
    "registryId": "012345678910",
    "repositoryName": "cluster-autoscaler",
    "policyText": "{\\n  \\"Version\\" : \\"2008-10-17\\",\\n  \\"Statement\\" : [ {\\n    \\"Sid\\" : \\"allow public pull\\",\\n    \\"Effect\\" : \\"Allow\\",\\n    \\"Principal\\" : \\"*\\",\\n    \\"Action\\" : [ \\"ecr:BatchCheckLayerAvailability\\", \\"ecr:BatchGetImage\\", \\"ecr:GetDownloadUrlForLayer\\" ]\\n  } ]\\n}"
}`

/** The policy.json of put-lifecycle-policy.rst. */
const LIFECYCLE_POLICY_FILE = `{
   "rules": [
       {
           "rulePriority": 1,
           "description": "Expire images older than 14 days",
           "selection": {
               "tagStatus": "untagged",
               "countType": "sinceImagePushed",
               "countUnit": "days",
               "countNumber": 14
           },
           "action": {
               "type": "expire"
           }
       }
   ]
}
`

/** The policy text of both preview examples' outputs (as sent, pretty-printed), as JSON. */
const PREVIEWED_POLICY_TEXT =
  '"{\\n    \\"rules\\": [\\n        {\\n            \\"rulePriority\\": 1,\\n            \\"description\\": \\"Expire images older than 14 days\\",\\n            \\"selection\\": {\\n                \\"tagStatus\\": \\"untagged\\",\\n                \\"countType\\": \\"sinceImagePushed\\",\\n                \\"countUnit\\": \\"days\\",\\n                \\"countNumber\\": 14\\n            },\\n            \\"action\\": {\\n                \\"type\\": \\"expire\\"\\n            }\\n        }\\n    ]\\n}\\n"'

async function image(server: EcrServer, repositoryName: string, tag?: string) {
  const seeded = await server.ecr.seed.image(repositoryName, { ...(tag !== undefined && { tag }), context })
  return { ...seeded, config: JSON.parse(seeded.imageManifest).config as { digest: string; size: number } }
}

async function tagAgain(server: EcrServer, repositoryName: string, imageManifest: string, imageTag: string) {
  await server.ecr.call('PutImage', { repositoryName, imageManifest, imageTag }, context)
}

async function repository(server: EcrServer, repositoryName: string) {
  await server.ecr.call('CreateRepository', { repositoryName }, context)
}

const EXAMPLES: Example[] = [
  {
    source: 'batch-check-layer-availability.rst: To check the availability of a layer',
    async command({ server }) {
      const { config } = await image(server, 'cluster-autoscaler', 'v1.13.6')
      return ['batch-check-layer-availability', '--repository-name', 'cluster-autoscaler', '--layer-digests', config.digest]
    },
    output: `{
        "layers": [
            {
                "layerDigest": "sha256:6171c7451a50945f8ddd72f7732cc04d7a0d1f48138a426b2e64387fdeb834ed",
                "layerAvailability": "AVAILABLE",
                "layerSize": 2777,
                "mediaType": "application/vnd.docker.container.image.v1+json"
            }
        ],
        "failures": []
    }`,
  },
  {
    source: 'batch-delete-image.rst, example 1: To delete an image',
    async command({ server }) {
      await image(server, 'ubuntu', 'precise')
      return ['batch-delete-image', '--repository-name', 'ubuntu', '--image-ids', 'imageTag=precise']
    },
    output: `{
        "failures": [],
        "imageIds": [
            {
                "imageTag": "precise",
                "imageDigest": "sha256:19665f1e6d1e504117a1743c0a3d3753086354a38375961f2e665416ef4b1b2f"
            }
        ]
    }`,
  },
  {
    // "MyRepository" is not a repository name ECR accepts (lower case only): the same in lower case.
    source: 'batch-delete-image.rst, example 2: To delete multiple images',
    async command({ server }) {
      await image(server, 'myrepository', 'prod')
      await image(server, 'myrepository', 'team1')
      return ['batch-delete-image', '--repository-name', 'myrepository', '--image-ids', 'imageTag=prod', 'imageTag=team1']
    },
    output: `{
        "imageIds": [
            {
                "imageDigest": "sha256:123456789012",
                "imageTag": "prod"
            },
            {
                "imageDigest": "sha256:567890121234",
                "imageTag": "team1"
            }
        ],
        "failures": []
    }`,
  },
  {
    source: 'batch-get-image.rst, example 1: To get an image',
    async command({ server }) {
      await image(server, 'cluster-autoscaler', 'v1.13.6')
      return ['batch-get-image', '--repository-name', 'cluster-autoscaler', '--image-ids', 'imageTag=v1.13.6']
    },
    output: `{
        "images": [
            {
                "registryId": "012345678910",
                "repositoryName": "cluster-autoscaler",
                "imageId": {
                    "imageDigest": "sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5",
                    "imageTag": "v1.13.6"
                },
                "imageManifest": "{\\n   \\"schemaVersion\\": 2,\\n   \\"mediaType\\": \\"application/vnd.docker.distribution.manifest.v2+json\\",\\n   \\"config\\": {\\n      \\"mediaType\\": \\"application/vnd.docker.container.image.v1+json\\",\\n      \\"size\\": 2777,\\n      \\"digest\\": \\"sha256:6171c7451a50945f8ddd72f7732cc04d7a0d1f48138a426b2e64387fdeb834ed\\"\\n   },\\n   \\"layers\\": [\\n      {\\n         \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n         \\"size\\": 17743696,\\n         \\"digest\\": \\"sha256:39fafc05754f195f134ca11ecdb1c9a691ab0848c697fffeb5a85f900caaf6e1\\"\\n      },\\n      {\\n         \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n         \\"size\\": 2565026,\\n         \\"digest\\": \\"sha256:8c8a779d3a537b767ae1091fe6e00c2590afd16767aa6096d1b318d75494819f\\"\\n      },\\n      {\\n         \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n         \\"size\\": 28005981,\\n         \\"digest\\": \\"sha256:c44ba47496991c9982ee493b47fd25c252caabf2b4ae7dd679c9a27b6a3c8fb7\\"\\n      },\\n      {\\n         \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n         \\"size\\": 775,\\n         \\"digest\\": \\"sha256:e2c388b44226544363ca007be7b896bcce1baebea04da23cbd165eac30be650f\\"\\n      }\\n   ]\\n}"
            }
        ],
        "failures": []
    }`,
  },
  {
    // Lower-case repository name as above. The documented manifests are placeholders
    // ("manifestExample1"), written here as <manifestExample1> so that they match anything.
    source: 'batch-get-image.rst, example 2: To get multiple images',
    async command({ server }) {
      const { imageManifest } = await image(server, 'myrepository', 'prod')
      await tagAgain(server, 'myrepository', imageManifest, 'team1')
      return ['batch-get-image', '--repository-name', 'myrepository', '--image-ids', 'imageTag=prod', 'imageTag=team1']
    },
    output: `{
        "images": [
            {
                "registryId": "123456789012",
                "repositoryName": "MyRepository",
                "imageId": {
                    "imageDigest": "sha256:123456789012",
                    "imageTag": "prod"
                },
                "imageManifest": "<manifestExample1>"
            },
            {
                "registryId": "567890121234",
                "repositoryName": "MyRepository",
                "imageId": {
                    "imageDigest": "sha256:123456789012",
                    "imageTag": "team1"
                },
                "imageManifest": "<manifestExample2>"
            }
        ],
        "failures": []
    }`,
  },
  {
    source: 'complete-layer-upload.rst: To complete an image layer upload',
    async command({ server }) {
      await repository(server, 'layer-test')
      const bytes = new TextEncoder().encode('a layer of the complete-layer-upload example')
      const { uploadId } = await server.ecr.call('InitiateLayerUpload', { repositoryName: 'layer-test' }, context)
      await server.ecr.call(
        'UploadLayerPart',
        { repositoryName: 'layer-test', uploadId, partFirstByte: 0, partLastByte: bytes.byteLength - 1, layerPartBlob: bytes },
        context,
      )
      return ['complete-layer-upload', '--repository-name', 'layer-test', '--upload-id', uploadId!, '--layer-digests', sha256(bytes)]
    },
    output: `{
        "uploadId": "6cb64b8a-9378-0e33-2ab1-b780fab8a9e9",
        "layerDigest": "sha256:9a77f85878aa1906f2020a0ecdf7a7e962d57e882250acd773383224b3fe9a02",
        "repositoryName": "layer-test",
        "registryId": "130757420319"
    }`,
  },
  {
    source: 'create-repository.rst, example 1: To create a repository',
    command: async () => ['create-repository', '--repository-name', 'project-a/sample-repo'],
    output: `{
        "repository": {
            "registryId": "123456789012",
            "repositoryName": "project-a/sample-repo",
            "repositoryArn": "arn:aws:ecr:us-west-2:123456789012:repository/project-a/sample-repo"
        }
    }`,
  },
  {
    source: 'create-repository.rst, example 2: To create a repository configured with image tag immutability',
    command: async () => ['create-repository', '--repository-name', 'project-a/sample-repo', '--image-tag-mutability', 'IMMUTABLE'],
    output: `{
        "repository": {
            "registryId": "123456789012",
            "repositoryName": "project-a/sample-repo",
            "repositoryArn": "arn:aws:ecr:us-west-2:123456789012:repository/project-a/sample-repo",
            "imageTagMutability": "IMMUTABLE"
        }
    }`,
  },
  {
    source: 'create-repository.rst, example 3: To create a repository configured with a scanning configuration',
    command: async () => ['create-repository', '--repository-name', 'project-a/sample-repo', '--image-scanning-configuration', 'scanOnPush=true'],
    output: `{
        "repository": {
            "registryId": "123456789012",
            "repositoryName": "project-a/sample-repo",
            "repositoryArn": "arn:aws:ecr:us-west-2:123456789012:repository/project-a/sample-repo",
            "imageScanningConfiguration": {
                "scanOnPush": true
            }
        }
    }`,
  },
  {
    source: 'delete-lifecycle-policy.rst: To delete the lifecycle policy for a repository',
    async command({ server }) {
      await repository(server, 'hello-world')
      const lifecyclePolicyText = JSON.stringify(
        {
          rules: [
            {
              rulePriority: 1,
              description: 'Remove untagged images.',
              selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 10 },
              action: { type: 'expire' },
            },
          ],
        },
        null,
        4,
      )
      await server.ecr.call('PutLifecyclePolicy', { repositoryName: 'hello-world', lifecyclePolicyText }, context)
      return ['delete-lifecycle-policy', '--repository-name', 'hello-world']
    },
    output: `{
        "registryId": "012345678910",
        "repositoryName": "hello-world",
        "lifecyclePolicyText": "{\\"rules\\":[{\\"rulePriority\\":1,\\"description\\":\\"Remove untagged images.\\",\\"selection\\":{\\"tagStatus\\":\\"untagged\\",\\"countType\\":\\"sinceImagePushed\\",\\"countUnit\\":\\"days\\",\\"countNumber\\":10},\\"action\\":{\\"type\\":\\"expire\\"}}]}",
        "lastEvaluatedAt": 0.0
    }`,
  },
  {
    source: 'delete-repository-policy.rst: To delete the repository policy for a repository',
    async command({ server }) {
      await repository(server, 'cluster-autoscaler')
      await server.ecr.call('SetRepositoryPolicy', { repositoryName: 'cluster-autoscaler', policyText: REPOSITORY_POLICY_FILE }, context)
      return ['delete-repository-policy', '--repository-name', 'cluster-autoscaler']
    },
    output: REPOSITORY_POLICY_OUTPUT,
  },
  {
    source: 'delete-repository.rst: To delete a repository',
    async command({ server }) {
      await image(server, 'ubuntu', 'latest')
      return ['delete-repository', '--repository-name', 'ubuntu', '--force']
    },
    output: `{
        "repository": {
            "registryId": "123456789012",
            "repositoryName": "ubuntu",
            "repositoryArn": "arn:aws:ecr:us-west-2:123456789012:repository/ubuntu"
        }
    }`,
  },
  {
    source: 'describe-image-scan-findings.rst: To describe the scan findings for an image',
    async command({ server }) {
      const { imageDigest } = await image(server, 'sample-repo')
      await server.ecr.call('StartImageScan', { repositoryName: 'sample-repo', imageId: { imageDigest } }, context)
      return ['describe-image-scan-findings', '--repository-name', 'sample-repo', '--image-id', `imageDigest=${imageDigest}`]
    },
    maps: ['$.imageScanFindings.findingSeverityCounts'],
    output: `{
        "imageScanFindings": {
          "findings": [
              {
                  "name": "CVE-2019-5188",
                  "description": "A code execution vulnerability exists in the directory rehashing functionality of E2fsprogs e2fsck 1.45.4. A specially crafted ext4 directory can cause an out-of-bounds write on the stack, resulting in code execution. An attacker can corrupt a partition to trigger this vulnerability.",
                  "uri": "http://people.ubuntu.com/~ubuntu-security/cve/CVE-2019-5188",
                  "severity": "MEDIUM",
                  "attributes": [
                      {
                          "key": "package_version",
                          "value": "1.44.1-1ubuntu1.1"
                      },
                      {
                          "key": "package_name",
                          "value": "e2fsprogs"
                      },
                      {
                          "key": "CVSS2_VECTOR",
                          "value": "AV:L/AC:L/Au:N/C:P/I:P/A:P"
                      },
                      {
                          "key": "CVSS2_SCORE",
                          "value": "4.6"
                      }
                  ]
              }
          ],
          "imageScanCompletedAt": 1579839105.0,
          "vulnerabilitySourceUpdatedAt": 1579811117.0,
          "findingSeverityCounts": {
              "MEDIUM": 1
          }
      },
      "registryId": "123456789012",
      "repositoryName": "sample-repo",
      "imageId": {
          "imageDigest": "sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6"
      },
      "imageScanStatus": {
          "status": "COMPLETE",
          "description": "The scan was completed successfully."
      }
    }`,
  },
  {
    source: 'describe-images.rst: To describe an image in a repository',
    async command({ server }) {
      await image(server, 'cluster-autoscaler', 'v1.13.6')
      return ['describe-images', '--repository-name', 'cluster-autoscaler', '--image-ids', 'imageTag=v1.13.6']
    },
    output: `{
        "imageDetails": [
            {
                "registryId": "012345678910",
                "repositoryName": "cluster-autoscaler",
                "imageDigest": "sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5",
                "imageTags": [
                    "v1.13.6"
                ],
                "imageSizeInBytes": 48318255,
                "imagePushedAt": 1565128275.0
            }
        ]
    }`,
  },
  {
    source: 'describe-repositories.rst: To describe the repositories in a registry',
    async command({ server }) {
      await repository(server, 'ubuntu')
      await repository(server, 'test')
      return ['describe-repositories']
    },
    output: `{
      "repositories": [
          {
              "registryId": "012345678910",
              "repositoryName": "ubuntu",
              "repositoryArn": "arn:aws:ecr:us-west-2:012345678910:repository/ubuntu"
          },
          {
              "registryId": "012345678910",
              "repositoryName": "test",
              "repositoryArn": "arn:aws:ecr:us-west-2:012345678910:repository/test"
          }
      ]
    }`,
  },
  {
    source: 'get-authorization-token.rst: To get an authorization token for your default registry',
    command: async () => ['get-authorization-token'],
    output: `{
        "authorizationData": [
            {
                "authorizationToken": "QVdTOkN...",
                "expiresAt": 1448875853.241,
                "proxyEndpoint": "https://123456789012.dkr.ecr.us-west-2.amazonaws.com"
            }
        ]
    }`,
  },
  {
    source: 'get-download-url-for-layer.rst: To get the download URL of a layer',
    async command({ server }) {
      const { config } = await image(server, 'cluster-autoscaler', 'v1.13.6')
      return ['get-download-url-for-layer', '--repository-name', 'cluster-autoscaler', '--layer-digest', config.digest]
    },
    output: `{
        "downloadUrl": "https://prod-us-west-2-starport-layer-bucket.s3.us-west-2.amazonaws.com/e501-012345678910-9cb60dc0-7284-5643-3987-da6dac0465f0/04620aac-66a5-4167-8232-55ee7ef6d565?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20190814T220617Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Credential=AKIA32P3D2JDNMVAJLGF%2F20190814%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Signature=9161345894947a1672467a0da7a1550f2f7157318312fe4941b59976239c3337",
        "layerDigest": "sha256:6171c7451a50945f8ddd72f7732cc04d7a0d1f48138a426b2e64387fdeb834ed"
    }`,
  },
  {
    source: 'get-lifecycle-policy-preview.rst: To retrieve details for a lifecycle policy preview',
    async command({ server }) {
      await image(server, 'project-a/amazon-ecs-sample', 'latest')
      const repositoryName = 'project-a/amazon-ecs-sample'
      await server.ecr.call('StartLifecyclePolicyPreview', { repositoryName, lifecyclePolicyText: LIFECYCLE_POLICY_FILE }, context)
      return ['get-lifecycle-policy-preview', '--repository-name', repositoryName]
    },
    output: `{
        "registryId": "<aws_account_id>",
        "repositoryName": "project-a/amazon-ecs-sample",
        "lifecyclePolicyText": ${PREVIEWED_POLICY_TEXT},
        "status": "COMPLETE",
        "previewResults": [],
        "summary": {
            "expiringImageTotalCount": 0
        }
    }`,
  },
  {
    source: 'get-lifecycle-policy.rst: To retrieve a lifecycle policy',
    async command({ server }) {
      await repository(server, 'project-a/amazon-ecs-sample')
      await server.ecr.call(
        'PutLifecyclePolicy',
        { repositoryName: 'project-a/amazon-ecs-sample', lifecyclePolicyText: LIFECYCLE_POLICY_FILE },
        context,
      )
      return ['get-lifecycle-policy', '--repository-name', 'project-a/amazon-ecs-sample']
    },
    output: `{
         "registryId": "123456789012",
         "repositoryName": "project-a/amazon-ecs-sample",
         "lifecyclePolicyText": "{\\"rules\\":[{\\"rulePriority\\":1,\\"description\\":\\"Expire images older than 14 days\\",\\"selection\\":{\\"tagStatus\\":\\"untagged\\",\\"countType\\":\\"sinceImagePushed\\",\\"countUnit\\":\\"days\\",\\"countNumber\\":14},\\"action\\":{\\"type\\":\\"expire\\"}}]}",
         "lastEvaluatedAt": 1504295007.0
    }`,
  },
  {
    source: 'get-login-password.rst: To retrieve a password to authenticate to a registry',
    command: async () => ['get-login-password'],
    output: '<password>',
  },
  {
    source: 'get-login.rst, example 1: To retrieve a Docker login command to your default registry',
    skip: 'get-login is an AWS CLI v1 command, removed from v2 (the CLI this replay drives)',
    command: async () => ['get-login'],
    output: '',
  },
  {
    source: 'get-login.rst, example 2: To log in to another account’s registry',
    skip: 'get-login is an AWS CLI v1 command, removed from v2 (the CLI this replay drives)',
    command: async () => ['get-login', '--registry-ids', '012345678910', '023456789012'],
    output: '',
  },
  {
    source: 'get-repository-policy.rst: To retrieve the repository policy for a repository',
    async command({ server }) {
      await repository(server, 'cluster-autoscaler')
      await server.ecr.call('SetRepositoryPolicy', { repositoryName: 'cluster-autoscaler', policyText: REPOSITORY_POLICY_FILE }, context)
      return ['get-repository-policy', '--repository-name', 'cluster-autoscaler']
    },
    output: REPOSITORY_POLICY_OUTPUT,
  },
  {
    source: 'initiate-layer-upload.rst: To initiate an image layer upload',
    async command({ server }) {
      await repository(server, 'layer-test')
      return ['initiate-layer-upload', '--repository-name', 'layer-test']
    },
    output: `{
        "partSize": 10485760,
        "uploadId": "6cb64b8a-9378-0e33-2ab1-b780fab8a9e9"
    }`,
  },
  {
    source: 'list-images.rst: To list the images in a repository',
    async command({ server }) {
      const { imageManifest } = await image(server, 'cluster-autoscaler', 'v1.13.7')
      await tagAgain(server, 'cluster-autoscaler', imageManifest, 'v1.13.8')
      await image(server, 'cluster-autoscaler', 'v1.13.6')
      return ['list-images', '--repository-name', 'cluster-autoscaler']
    },
    output: `{
        "imageIds": [
            {
                "imageDigest": "sha256:99c6fb4377e9a420a1eb3b410a951c9f464eff3b7dbc76c65e434e39b94b6570",
                "imageTag": "v1.13.8"
            },
            {
                "imageDigest": "sha256:99c6fb4377e9a420a1eb3b410a951c9f464eff3b7dbc76c65e434e39b94b6570",
                "imageTag": "v1.13.7"
            },
            {
                "imageDigest": "sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5",
                "imageTag": "v1.13.6"
            }
        ]
    }`,
  },
  {
    // The ARN names this server's account instead of the documented 012345678910.
    source: 'list-tags-for-resource.rst: To list the tags for repository',
    async command({ server }) {
      await server.ecr.call('CreateRepository', { repositoryName: 'hello-world', tags: [{ Key: 'Stage', Value: 'Integ' }] }, context)
      return ['list-tags-for-resource', '--resource-arn', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/hello-world`]
    },
    output: `{
        "tags": [
            {
                "Key": "Stage",
                "Value": "Integ"
            }
        ]
    }`,
  },
  {
    source: 'put-image-scanning-configuration.rst: To update the image scanning configuration for a repository',
    async command({ server }) {
      await repository(server, 'sample-repo')
      return ['put-image-scanning-configuration', '--repository-name', 'sample-repo', '--image-scanning-configuration', 'scanOnPush=true']
    },
    output: `{
       "registryId": "012345678910",
       "repositoryName": "sample-repo",
       "imageScanningConfiguration": {
         "scanOnPush": true
       }
    }`,
  },
  {
    source: 'put-image-tag-mutability.rst: To update the image tag mutability setting for a repository',
    async command({ server }) {
      await repository(server, 'hello-repository')
      return ['put-image-tag-mutability', '--repository-name', 'hello-repository', '--image-tag-mutability', 'IMMUTABLE']
    },
    output: `{
       "registryId": "012345678910",
       "repositoryName": "sample-repo",
       "imageTagMutability": "IMMUTABLE"
    }`,
  },
  {
    // A manifest over blobs of this server, written as the documented output shows the file (two-space indent, final newline).
    source: 'put-image.rst: To retag an image with its manifest',
    async command({ server, file }) {
      const { config, imageManifest } = await image(server, 'hello-world')
      const { layers } = JSON.parse(imageManifest)
      const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config, layers }, null, 2) + '\n'
      const path = await file('hello-world.manifest.json', manifest)
      return ['put-image', '--repository-name', 'hello-world', '--image-tag', '2019.08', '--image-manifest', `file://${path}`]
    },
    output: `{
        "image": {
            "registryId": "130757420319",
            "repositoryName": "hello-world",
            "imageId": {
                "imageDigest": "sha256:8ece96b74f87652876199d83bd107d0435a196133af383ac54cb82b6cc5283ae",
                "imageTag": "2019.08"
            },
            "imageManifest": "{\\n  \\"schemaVersion\\": 2,\\n  \\"mediaType\\": \\"application/vnd.docker.distribution.manifest.v2+json\\",\\n  \\"config\\": {\\n    \\"mediaType\\": \\"application/vnd.docker.container.image.v1+json\\",\\n    \\"size\\": 5695,\\n    \\"digest\\": \\"sha256:cea5fe7701b7db3dd1c372f3cea6f43cdda444fcc488f530829145e426d8b980\\"\\n  },\\n  \\"layers\\": [\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 39096921,\\n      \\"digest\\": \\"sha256:d8868e50ac4c7104d2200d42f432b661b2da8c1e417ccfae217e6a1e04bb9295\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 57938,\\n      \\"digest\\": \\"sha256:83251ac64627fc331584f6c498b3aba5badc01574e2c70b2499af3af16630eed\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 423,\\n      \\"digest\\": \\"sha256:589bba2f1b36ae56f0152c246e2541c5aa604b058febfcf2be32e9a304fec610\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 680,\\n      \\"digest\\": \\"sha256:d62ecaceda3964b735cdd2af613d6bb136a52c1da0838b2ff4b4dab4212bcb1c\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 162,\\n      \\"digest\\": \\"sha256:6d93b41cfc6bf0d2522b7cf61588de4cd045065b36c52bd3aec2ba0622b2b22b\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 28268840,\\n      \\"digest\\": \\"sha256:6986b4d4c07932c680b3587f2eac8b0e013568c003cc23b04044628a5c5e599f\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 35369152,\\n      \\"digest\\": \\"sha256:8c5ec60f10102dc8da0649d866c7c2f706e459d0bdc25c83ad2de86f4996c276\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 155,\\n      \\"digest\\": \\"sha256:cde50b1c594539c5f67cbede9aef95c9ae321ccfb857f7b251b45b84198adc85\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 28737,\\n      \\"digest\\": \\"sha256:2e102807ab72a73fc9abf53e8c50e421bdc337a0a8afcb242176edeec65977e4\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 190,\\n      \\"digest\\": \\"sha256:fc379bbd5ed37808772bef016553a297356c59b8f134659e6ee4ecb563c2f5a7\\"\\n    },\\n    {\\n      \\"mediaType\\": \\"application/vnd.docker.image.rootfs.diff.tar.gzip\\",\\n      \\"size\\": 28748,\\n      \\"digest\\": \\"sha256:021db240dfccf5a1aff19507d17c0177e5888e518acf295b52204b1825e8b7ee\\"\\n    }\\n  ]\\n}\\n"
        }
    }`,
  },
  {
    source: 'put-lifecycle-policy.rst: To create a lifecycle policy',
    async command({ server, file }) {
      await repository(server, 'project-a/amazon-ecs-sample')
      const path = await file('policy.json', LIFECYCLE_POLICY_FILE)
      return ['put-lifecycle-policy', '--repository-name', 'project-a/amazon-ecs-sample', '--lifecycle-policy-text', `file://${path}`]
    },
    output: `{
       "registryId": "<aws_account_id>",
       "repositoryName": "project-a/amazon-ecs-sample",
       "lifecyclePolicyText": "{\\"rules\\":[{\\"rulePriority\\":1,\\"description\\":\\"Expire images older than 14 days\\",\\"selection\\":{\\"tagStatus\\":\\"untagged\\",\\"countType\\":\\"sinceImagePushed\\",\\"countUnit\\":\\"days\\",\\"countNumber\\":14},\\"action\\":{\\"type\\":\\"expire\\"}}]}"
    }`,
  },
  {
    source: 'set-repository-policy.rst: To set the repository policy for a repository',
    async command({ server, file }) {
      await repository(server, 'cluster-autoscaler')
      const path = await file('my-policy.json', REPOSITORY_POLICY_FILE)
      return ['set-repository-policy', '--repository-name', 'cluster-autoscaler', '--policy-text', `file://${path}`]
    },
    output: REPOSITORY_POLICY_OUTPUT,
  },
  {
    source: 'start-image-scan.rst: To start an image vulnerability scan',
    async command({ server }) {
      const { imageDigest } = await image(server, 'sample-repo')
      return ['start-image-scan', '--repository-name', 'sample-repo', '--image-id', `imageDigest=${imageDigest}`]
    },
    output: `{
       "registryId": "012345678910",
       "repositoryName": "sample-repo",
       "imageId": {
           "imageDigest": "sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6"
       },
       "imageScanStatus": {
           "status": "IN_PROGRESS"
       }
    }`,
  },
  {
    source: 'start-lifecycle-policy-preview.rst: To create a lifecycle policy preview',
    async command({ server, file }) {
      await repository(server, 'project-a/amazon-ecs-sample')
      const path = await file('policy.json', LIFECYCLE_POLICY_FILE)
      return ['start-lifecycle-policy-preview', '--repository-name', 'project-a/amazon-ecs-sample', '--lifecycle-policy-text', `file://${path}`]
    },
    output: `{
       "registryId": "<aws_account_id>",
       "repositoryName": "project-a/amazon-ecs-sample",
       "lifecyclePolicyText": ${PREVIEWED_POLICY_TEXT},
       "status": "IN_PROGRESS"
    }`,
  },
  {
    source: 'tag-resource.rst: To tag a repository',
    async command({ server }) {
      await repository(server, 'hello-world')
      return ['tag-resource', '--resource-arn', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/hello-world`, '--tags', 'Key=Stage,Value=Integ']
    },
    output: '',
  },
  {
    source: 'untag-resource.rst: To untag a repository',
    async command({ server }) {
      await server.ecr.call('CreateRepository', { repositoryName: 'hello-world', tags: [{ Key: 'Stage', Value: 'Integ' }] }, context)
      return ['untag-resource', '--resource-arn', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/hello-world`, '--tag-keys', 'Stage']
    },
    output: '',
  },
  {
    // The part as base64 text in a file, as the example's layer.b64 (the CLI v2 reads blobs so).
    source: 'upload-layer-part.rst: To upload a layer part',
    async command({ server, file }) {
      await repository(server, 'layer-test')
      const { uploadId } = await server.ecr.call('InitiateLayerUpload', { repositoryName: 'layer-test' }, context)
      const part = new Uint8Array(8323315).map((_, index) => index % 251)
      const path = await file('layer.b64', Buffer.from(part).toString('base64'))
      return [
        'upload-layer-part',
        '--repository-name', 'layer-test',
        '--upload-id', uploadId!,
        '--part-first-byte', '0',
        '--part-last-byte', String(part.byteLength - 1),
        '--layer-part-blob', `file://${path}`,
      ]
    },
    output: `{
        "uploadId": "6cb64b8a-9378-0e33-2ab1-b780fab8a9e9",
        "registryId": "012345678910",
        "lastByteReceived": 8323314,
        "repositoryName": "layer-test"
    }`,
  },
]

/** What a value's format is, as far as the comparison goes: data of the same format compares equal. */
function formatOf(value: string): string {
  if (/^\s*[[{]/.test(value)) {
    try {
      const parsed = parseJsonText(value)
      if (prettyJsonText(parsed) === value) return 'JSON text, pretty-printed as Jackson does'
      if (compactJsonText(parsed) === value) return 'JSON text, compact'
      return 'JSON text, as written by the client'
    } catch {
      // Not JSON after all: plain text.
    }
  }
  if (/^sha256:[0-9a-f]+$/.test(value)) return 'digest'
  const arn = /^arn:[\w-]+:([\w-]+):/.exec(value)
  if (arn) return `ARN of ${arn[1]}`
  if (/^https?:\/\//.test(value)) return 'URL'
  if (/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(value)) return 'UUID'
  if (/^\d{12}$/.test(value)) return 'account id'
  return 'text'
}

/**
 * Where `actual` departs from the documented output `documented`: documented members missing, or
 * of another JSON type or value format, at any depth. Array items are compared with the
 * documented item at the same place (or the last one); a documented value like `<aws_account_id>`
 * is a placeholder and matches anything.
 */
function differences(documented: unknown, actual: unknown, maps: readonly string[], path = '$'): string[] {
  const kind = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)
  if (typeof documented === 'string' && /^<[^>]+>$/.test(documented)) return []
  if (kind(documented) !== kind(actual)) return [`${path}: documented ${kind(documented)}, got ${kind(actual)}`]
  if (Array.isArray(documented)) {
    const items = actual as unknown[]
    if ((documented.length === 0) !== (items.length === 0)) return [`${path}: documented ${documented.length} items, got ${items.length}`]
    return items.flatMap((item, index) => differences(documented[Math.min(index, documented.length - 1)], item, maps, `${path}[]`))
  }
  if (kind(documented) === 'object') {
    const record = actual as Record<string, unknown>
    if (maps.includes(path)) {
      const [sample] = Object.values(documented as object)
      return Object.values(record).flatMap((value) => differences(sample, value, maps, `${path}.*`))
    }
    return Object.entries(documented as object).flatMap(([key, value]) =>
      Object.hasOwn(record, key) ? differences(value, record[key], maps, `${path}.${key}`) : [`${path}.${key}: documented, missing`],
    )
  }
  if (typeof documented === 'string' && formatOf(documented) !== formatOf(actual as string)) {
    return [`${path}: documented ${formatOf(documented)}, got ${formatOf(actual as string)}: ${JSON.stringify(actual)}`]
  }
  return []
}

const aws = await findAwsCli({ v2: true, purpose: 'the AWS CLI examples replay' })

describe.skipIf(aws === undefined)('the AWS CLI’s documented ECR examples, replayed against the standalone server', () => {
  // Timestamps as the service sends them (epoch seconds), as in the documented outputs.
  const cli = useAwsCliAgainstServer(aws!, { region: REGION, config: '[default]\ncli_timestamp_format = wire\n' })

  it('covers every example of the AWS CLI’s ECR examples', () => {
    // 31 example files (the two *_description.rst files describe commands and hold no example).
    expect(new Set(EXAMPLES.map((example) => example.source.split(/[,:]/)[0])).size).toBe(31)
    expect(EXAMPLES).toHaveLength(36)
  })

  for (const example of EXAMPLES) {
    it.skipIf(example.skip !== undefined)(example.skip === undefined ? example.source : `${example.source} (${example.skip})`, async () => {
      const directory = await cli.directory()
      const file = async (name: string, content: string) => {
        const path = join(directory, name)
        await writeFile(path, content)
        return path
      }
      const args = await example.command({ server: cli.server(), file })
      const { code, stdout, stderr } = await cli.run(args)
      expect(stderr).toBe('')
      expect(code).toBe(0)
      if (example.output === '<password>') expect(stdout).toMatch(/^[^\s]+\n$/)
      else if (example.output === '') expect(stdout).toBe('')
      else expect(differences(JSON.parse(example.output), JSON.parse(stdout), example.maps ?? [])).toEqual([])
    })
  }
})
