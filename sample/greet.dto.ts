import { IsString, Length } from 'class-validator';

export class GreetDto {
  @IsString()
  @Length(1, 40)
  name!: string;
}
