import { Aws, CfnOutput, type CfnResource, Fn, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as xray from 'aws-cdk-lib/aws-xray';
import type { Construct } from 'constructs';
import { NudgeDelivery } from './constructs/delivery.ts';
import { NudgeEventBus } from './constructs/event-bus.ts';
import { NudgeIngest } from './constructs/ingest.ts';
import { NudgeMonitoring } from './constructs/monitoring.ts';
import { ENTRY_METADATA_KEY, NudgeFunction } from './constructs/nudge-function.ts';
import { NudgePrivacy } from './constructs/privacy.ts';
import { NudgeScheduled } from './constructs/scheduled.ts';
import { NudgeReports, REPORT_FUNCTIONS, type ReportFunctionId } from './constructs/reports.ts';
import { NudgeExperimentCheck } from './constructs/experiments.ts';
import { NudgeSequences } from './constructs/sequences.ts';
import { NudgeSesEvents } from './constructs/ses-events.ts';
import { NudgeStorage } from './constructs/storage.ts';
import { NudgeTracking } from './constructs/tracking.ts';
import { NudgeTriggers } from './constructs/triggers.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import type { NudgeContext } from './context.ts';

export type NudgeStackProps = StackProps & { settings: NudgeContext };

/**
 * The whole of Nudge in one stack: bus -> ingest -> table -> send queue -> dispatcher -> SES, and
 * the daily sweep of time-based segment conditions.
 *
 * Environment-agnostic on purpose (no account/region lookups), so `cdk synth` works offline and the
 * same template deploys to whichever account the credentials point at.
 *
 * The outputs are the contract between the stack and its tools: the local runtime, the CLI and the
 * integration tests find the bus, table and queues by these exact output names.
 */

/**
 * Traces a second the sequences' sampling rule records before its fixed rate applies. None: the
 * reference month starts about 0.24 executions a second (~620,000 a month), and a reservoir of 1 a
 * second would trace ~21% of them (~550,000 traces, ~$2.75), twenty times the 1% fixed rate the
 * deployer chose (-c xraySamplingRate). bench/cost-model.ts reads both from the synthesized rule.
 */
export const SEQUENCE_SAMPLING_RESERVOIR = 0;
export class NudgeStack extends Stack {
  readonly eventBus: NudgeEventBus;
  readonly storage: NudgeStorage;
  readonly delivery: NudgeDelivery;
  readonly ingest: NudgeIngest;
  readonly scheduled: NudgeScheduled;
  readonly reports: NudgeReports;
  readonly experimentCheck: NudgeExperimentCheck;
  readonly triggers: NudgeTriggers;
  readonly sequences: NudgeSequences;
  readonly tracking: NudgeTracking;
  readonly sesEvents: NudgeSesEvents;
  readonly privacy: NudgePrivacy;
  readonly monitoring: NudgeMonitoring;

  constructor(scope: Construct, id: string, props: NudgeStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.eventBus = new NudgeEventBus(this, 'EventBus', {
      busName: settings.busName,
      archiveRetentionDays: defaultCatalog.settings.eventArchiveRetentionDays,
    });
    this.storage = new NudgeStorage(this, 'Storage', { sparseIndexes: settings.sparseIndexes });
    this.delivery = new NudgeDelivery(this, 'Delivery', {
      storage: this.storage,
      logRetention: settings.logRetentionDays,
      ...(settings.senderEmail ? { senderEmail: settings.senderEmail } : {}),
      ...(settings.senderDomain ? { senderDomain: settings.senderDomain } : {}),
      ...(settings.replyToEmail ? { replyToEmail: settings.replyToEmail } : {}),
      ...(settings.sesMaxSendRate !== undefined ? { sesMaxSendRate: settings.sesMaxSendRate } : {}),
      ...(settings.mailFromDomain ? { mailFromDomain: settings.mailFromDomain } : {}),
      sesSandbox: settings.sesSandbox,
      importSenderIdentity: settings.importSenderIdentity,
    });
    this.tracking = new NudgeTracking(this, 'Tracking', {
      eventBus: this.eventBus,
      delivery: this.delivery,
      storage: this.storage,
      logRetention: settings.logRetentionDays,
      // Only a mailbox something reads (SES inbound rules set up outside this stack) is advertised.
      unsubscribeMailbox: settings.unsubscribeMailbox,
      reservedConcurrency: settings.linkReservedConcurrency,
      importLinkSecret: settings.importLinkSecret,
      ...(settings.linkDomain && settings.linkCertificateArn ? { customDomain: { domainName: settings.linkDomain, certificateArn: settings.linkCertificateArn } } : {}),
    });
    this.sesEvents = new NudgeSesEvents(this, 'SesEvents', {
      eventBus: this.eventBus,
      storage: this.storage,
      configurationSet: this.delivery.configurationSet,
      linksBaseUrl: this.tracking.baseUrl,
      logRetention: settings.logRetentionDays,
    });
    this.triggers = new NudgeTriggers(this, 'Triggers', {
      eventBus: this.eventBus,
      storage: this.storage,
      delivery: this.delivery,
      rules: defaultCatalog.rules,
      logRetention: settings.logRetentionDays,
      scheduleGroupName: settings.scheduleGroupName,
      accountManagerEmail: defaultCatalog.settings.accountManagerEmail,
      sesSandbox: settings.sesSandbox,
    });
    this.sequences = new NudgeSequences(this, 'Sequences', {
      eventBus: this.eventBus,
      storage: this.storage,
      triggers: this.triggers,
      sequences: defaultCatalog.sequences,
      logRetention: settings.logRetentionDays,
    });
    this.ingest = new NudgeIngest(this, 'Ingest', {
      eventBus: this.eventBus,
      storage: this.storage,
      delivery: this.delivery,
      triggers: this.triggers,
      logRetention: settings.logRetentionDays,
      reservedConcurrency: settings.ingestReservedConcurrency,
    });
    this.scheduled = new NudgeScheduled(this, 'Scheduled', {
      eventBus: this.eventBus,
      storage: this.storage,
      triggers: this.triggers,
      logRetention: settings.logRetentionDays,
      scanSegments: settings.sweepScanSegments,
    });

    this.reports = new NudgeReports(this, 'Reports', {
      storage: this.storage,
      eventBus: this.eventBus,
      logRetention: settings.logRetentionDays,
      scanSegments: settings.sweepScanSegments,
      rollupsBatchingWindowSeconds: settings.rollupsBatchingWindowSeconds,
    });

    this.experimentCheck = new NudgeExperimentCheck(this, 'ExperimentCheck', { storage: this.storage, logRetention: settings.logRetentionDays });

    this.privacy = new NudgePrivacy(this, 'Privacy', { storage: this.storage, scheduleGroup: this.triggers.scheduleGroup, stateMachine: this.sequences.stateMachine, logRetention: settings.logRetentionDays });

    // Every function logs at the deployer's level (WARN unless -c logLevel says otherwise). The
    // functions that run per event or per email trace as -c hotPathTracing says (PassThrough by
    // default: Lambda's own sampling, 1/s + 5%, cannot be lowered); the daily jobs, reports and
    // privacy requests run a few times a day and keep Active tracing.
    for (const fn of this.node.findAll().filter((node): node is NudgeFunction => node instanceof NudgeFunction)) {
      fn.setLogLevel(settings.logLevel);
      fn.setTracing(isHotPath(String((fn.function.node.defaultChild as CfnResource).getMetadata(ENTRY_METADATA_KEY))) ? settings.hotPathTracing : 'Active');
    }

    // Lambda samples traces at its own fixed rate (the first request each second and 5 % of the
    // rest); Step Functions follows sampling rules, so the sequences machine gets one, at the fixed
    // rate the deployer chose and no reservoir (SEQUENCE_SAMPLING_RESERVOIR).
    new xray.CfnSamplingRule(this, 'SequencesSampling', {
      samplingRule: {
        ruleName: `${this.stackName}-sequences`.slice(0, 32),
        priority: 1000,
        fixedRate: settings.xraySamplingRate,
        reservoirSize: SEQUENCE_SAMPLING_RESERVOIR,
        serviceName: this.sequences.stateMachine.stateMachineName,
        serviceType: 'AWS::StepFunctions::StateMachine',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });

    this.monitoring = new NudgeMonitoring(this, 'Monitoring', {
      alarmEmail: settings.alarmEmail,
      streamFunction: this.reports.rollups,
      stateMachine: this.sequences.stateMachine,
      ingestRule: this.ingest.rule,
      busName: settings.busName,
      sesDailyQuota: settings.sesDailyQuota,
    });

    for (const [key, value] of Object.entries(settings.tags)) Tags.of(this).add(key, value);

    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    output('StackName', this.stackName, 'This stack (for `nudge --stack <name>`)');
    output('EventBusName', this.eventBus.bus.eventBusName, 'Put behavior events here (PutEvents EventBusName)');
    output('EventBusArn', this.eventBus.bus.eventBusArn, 'ARN of the event bus (for cross-account producers and IAM)');
    output('EventArchiveName', this.eventBus.archive.archiveName, 'Archive of every event on the bus, for replay');
    output('TableName', this.storage.table.tableName, 'The single DynamoDB table');
    output('SendQueueUrl', this.delivery.sendQueue.queueUrl, 'Queue of sends awaiting the dispatcher');
    output('SendDeadLetterQueueUrl', this.delivery.sendDeadLetterQueue.queueUrl, 'Sends that failed 5 times');
    output('RejectedEventsQueueUrl', this.ingest.rejectedEventsQueue.queueUrl, 'Malformed events, with the reasons');
    output('IngestDeadLetterQueueUrl', this.ingest.deadLetterQueue.queueUrl, 'Events that could not be ingested after retries');
    output('SweepFunctionName', this.scheduled.sweep.function.functionName, 'The daily profile sweep (invoke it to sweep now)');
    output('SweepScheduleRuleName', this.scheduled.sweepRule.ruleName, 'Schedule rule of the sweep, on the default bus');
    output('ScoringFunctionName', this.scheduled.scoring.function.functionName, 'The daily predictive scoring (invoke it to score now)');
    output('ScoringScheduleRuleName', this.scheduled.scoringRule.ruleName, 'Schedule rule of the scoring, on the default bus');
    output('ScoringQueueUrl', this.scheduled.scoringQueue.queueUrl, 'Scoring tasks (one per Scan segment) for the scoring workers');
    output('ScoringDeadLetterQueueUrl', this.scheduled.scoringDeadLetterQueue.queueUrl, 'Scoring tasks that failed 3 times');
    output('TriggerPerformanceReportFunctionName', this.reports.triggerPerformance.function.functionName, 'Report: trigger performance per rule and sequence step (aws lambda invoke, or nudge report trigger-performance)');
    for (const [id, { report }] of Object.entries(REPORT_FUNCTIONS) as Array<[ReportFunctionId, { report: string }]>) {
      output(`${id}ReportFunctionName`, this.reports.reportFunctions[id].function.functionName, `Report: ${report} (aws lambda invoke, or nudge report ${report})`);
    }
    output('DriftCheckFunctionName', this.reports.driftCheck.function.functionName, 'The daily segment drift check (invoke it to check now)');
    output('DriftCheckScheduleRuleName', this.reports.driftCheckRule.ruleName, 'Schedule rule of the drift check, on the default bus');
    output('DriftDeadLetterQueueUrl', this.reports.driftDeadLetterQueue.queueUrl, 'Drift check runs that failed after retries');
    output('ExperimentCheckFunctionName', this.experimentCheck.check.function.functionName, 'The daily experiment winner check (invoke it to check now)');
    output('ExperimentCheckDeadLetterQueueUrl', this.experimentCheck.deadLetterQueue.queueUrl, 'Experiment check runs that failed after retries');
    output('RollupsDeadLetterQueueUrl', this.reports.rollupsDeadLetterQueue.queueUrl, 'Stream batches the rollup Lambda could not add after retries');
    output('TrainingFunctionName', this.scheduled.training.function.functionName, 'The weekly training of the predictive models (invoke it to train now)');
    output('SweepDeadLetterQueueUrl', this.scheduled.deadLetterQueue.queueUrl, 'Sweep runs that failed after retries');
    output('ScheduleGroupName', this.triggers.scheduleGroup.scheduleGroupName, 'One-time schedules of delayed sends and rule timers');
    output('SchedulerRoleArn', this.triggers.schedulerRole.roleArn, 'Role EventBridge Scheduler uses to deliver them');
    output('SendQueueArn', this.delivery.sendQueue.queueArn, 'ARN of the send queue (target of delayed sends)');
    output('TimerFunctionArn', this.triggers.timers.function.functionArn, 'Runs rule timers (absence checks, deferred rules)');
    output('ModelEventsFunctionName', this.triggers.modelEvents.function.functionName, 'Runs predictive rules on model events');
    output('TriggersDeadLetterQueueUrl', this.triggers.deadLetterQueue.queueUrl, 'Timer, model-event and account-manager notification runs that failed after retries');
    output('SequenceStateMachineArn', this.sequences.stateMachine.stateMachineArn, 'Runs nurture sequences (one execution per customer run)');
    output('SequencesDeadLetterQueueUrl', this.sequences.deadLetterQueue.queueUrl, 'Sequence starts that failed after retries');
    output('EraseFunctionName', this.privacy.erase.function.functionName, 'Erases a customer (aws lambda invoke with {"customerId"}, or nudge erase)');
    output('ExportFunctionName', this.privacy.export.function.functionName, 'Exports everything held about a customer (aws lambda invoke with {"customerId"}, or nudge export)');
    output('LinksUrl', this.tracking.baseUrl, 'Base URL of the links in emails (unsubscribe, open pixel, clicks)');
    output('LinksFunctionUrl', this.tracking.url.url, 'The link function URL (the origin, when links are served on linkDomain)');
    if (this.tracking.distribution) {
      output('LinksDnsRecord', Fn.join(' ', [settings.linkDomain!, 'CNAME', this.tracking.distribution.distributionDomainName]), 'DNS record that puts the links on your domain');
    }
    output('AlarmTopicArn', this.monitoring.topic.topicArn, 'SNS topic every alarm notifies (subscribe your on-call)');
    output('DashboardName', this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard of the pipeline');
    output('LinkSecretArn', this.tracking.linkSecret.secretArn, 'Keyring that signs the links (rotate with `nudge keys rotate --stack <name>`; links already sent keep working)');
    output('SesEventsFunctionName', this.sesEvents.function.function.functionName, 'Handles SES delivery, open, click, bounce and complaint events');
    output('SesEventsDeadLetterQueueUrl', this.sesEvents.deadLetterQueue.queueUrl, 'SES events that could not be handled after retries');
    output('ConfigurationSetName', this.delivery.configurationSet.configurationSetName, 'SES configuration set of every send');
    output('SenderEmail', this.delivery.senderEmail, 'From address of every email');
    output('SenderIdentity', this.delivery.senderIdentity.emailIdentityName, 'SES identity to verify before sending');
    const created = this.delivery.createdSenderIdentity;
    if (settings.senderDomain && created) {
      // Easy DKIM verifies the domain once these three CNAME records exist in its DNS.
      created.dkimRecords.forEach((record, index) => {
        output(`SenderDkimRecord${index + 1}`, Fn.join(' ', [record.name, 'CNAME', record.value]), `DNS record ${index + 1} of 3 that verifies ${settings.senderDomain}`);
      });
    }
    if (settings.senderDomain) {
      const mailFrom = this.delivery.mailFromDomain;
      if (mailFrom) {
        output('MailFromMxRecord', Fn.join('', [mailFrom, ' MX 10 feedback-smtp.', Aws.REGION, '.amazonses.com']), 'DNS record of the custom MAIL FROM domain (bounces)');
        output('MailFromSpfRecord', `${mailFrom} TXT "v=spf1 include:amazonses.com ~all"`, 'SPF record of the custom MAIL FROM domain');
      }
      // Gmail and Yahoo require DMARC from bulk senders (over 5,000 messages a day); start with p=none and tighten.
      output('DmarcRecord', `_dmarc.${settings.senderDomain} TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${settings.senderDomain}"`, 'Suggested DMARC policy (p=none while you watch the reports, then quarantine)');
    }
  }
}

/**
 * A function that runs per event or per email (ingest, rollups, delivery, tracking, sequences,
 * triggers): at the reference shop's volume its traces are a bill. The daily jobs, the reports
 * (but the rollups, which follow every profile write) and privacy requests are not.
 */
export function isHotPath(entry: string): boolean {
  if (entry === 'functions/reports/update-rollups.ts') return true;
  return !['functions/scheduled/', 'functions/reports/', 'functions/privacy/'].some((prefix) => entry.startsWith(prefix));
}
