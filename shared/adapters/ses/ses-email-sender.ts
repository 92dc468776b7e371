import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailSender, EmailSendResult, OutgoingEmail } from '../../domain/ports.ts';
import { classifySesError } from './ses-error-classes.ts';

export type SesSenderConfig = { fromAddress: string; replyTo?: string | undefined; configurationSet?: string | undefined };

/**
 * SESv2 SendEmail with Simple content (its custom headers survive, unlike headers inside Raw MIME)
 * and the configuration set, so SES publishes delivery, bounce and complaint events.
 */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly config: SesSenderConfig,
  ) {}

  async send(email: OutgoingEmail): Promise<EmailSendResult> {
    try {
      const output = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.config.fromAddress,
          Destination: { ToAddresses: [email.to] },
          ReplyToAddresses: this.config.replyTo ? [this.config.replyTo] : undefined,
          ConfigurationSetName: this.config.configurationSet,
          EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
              ...(email.headers.length > 0 ? { Headers: email.headers.map(({ name, value }) => ({ Name: name, Value: value })) } : {}),
            },
          },
        }),
      );
      if (!output.MessageId) return { type: 'retryable', reason: 'SES returned no MessageId' };
      return { type: 'sent', messageId: output.MessageId };
    } catch (error) {
      return classifySesError(error);
    }
  }
}
